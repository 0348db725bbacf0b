import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy, TextLayer } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";
import { useEffect, useRef, useState } from "react";
import { useI18n } from "../../i18n/i18n";
import { findPassageItems } from "./find-passage";

GlobalWorkerOptions.workerSrc = workerUrl;

/** A folder of pdf.js data the build copies from pdfjs-dist (see scripts/pdfjs-assets.ts), as an absolute URL. */
function pdfjsFolder(folder: string): string {
  return new URL(`${import.meta.env.BASE_URL}pdfjs/${folder}/`, window.location.href).href;
}

/** Props of {@link PdfView}. */
export interface PdfViewProps {
  /** Loads the PDF's bytes (the stored original). */
  load: () => Promise<ArrayBuffer>;
  /** The page shown, from 1. */
  page: number;
  onPageChange: (page: number) => void;
  /** The cited passage and the page it starts on, highlighted when that page is shown. */
  passage: { text: string; page: number } | null;
}

/**
 * A PDF rendered by pdf.js one page at a time (canvas plus a text layer), opened at the cited page with the
 * passage's text spans highlighted and scrolled into view. pdf.js, its worker and its CMaps load with this view only.
 */
export function PdfView(props: PdfViewProps) {
  const { t } = useI18n();
  const { load, page, onPageChange, passage } = props;
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rendering, setRendering] = useState(false);
  const [missed, setMissed] = useState(false);
  const pageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const textRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    let opened: PDFDocumentProxy | undefined;
    setPdf(null);
    setError(null);
    load()
      .then(
        (data) =>
          getDocument({
            data: new Uint8Array(data),
            cMapUrl: pdfjsFolder("cmaps"),
            cMapPacked: true,
            standardFontDataUrl: pdfjsFolder("standard_fonts"),
            wasmUrl: pdfjsFolder("wasm"),
            iccUrl: pdfjsFolder("iccs"),
            // The page's CSP allows no eval; pdf.js then interprets fonts instead of compiling them.
            isEvalSupported: false,
          }).promise,
      )
      .then((document) => {
        opened = document;
        if (live) setPdf(document);
        else void document.destroy();
      })
      .catch(
        (caught: unknown) => live && setError(caught instanceof Error ? caught.message : String(caught)),
      );
    return () => {
      live = false;
      void opened?.destroy();
    };
  }, [load]);

  const pageCount = pdf?.numPages ?? 0;
  const shown = pageCount > 0 ? Math.min(Math.max(page, 1), pageCount) : page;
  const highlightText = passage && passage.page === shown ? passage.text : null;

  useEffect(() => {
    const container = pageRef.current;
    const canvas = canvasRef.current;
    const textLayerElement = textRef.current;
    if (!pdf || !container || !canvas || !textLayerElement) return;
    let cancelled = false;
    let renderTask: ReturnType<Awaited<ReturnType<PDFDocumentProxy["getPage"]>>["render"]> | undefined;
    let textLayer: TextLayer | undefined;
    setRendering(true);
    setMissed(false);
    (async () => {
      const pdfPage = await pdf.getPage(shown);
      if (cancelled) return;
      const natural = pdfPage.getViewport({ scale: 1 });
      const available = container.parentElement?.clientWidth || natural.width;
      const scale = Math.min(2, Math.max(0.5, available / natural.width));
      const viewport = pdfPage.getViewport({ scale });
      const pixelRatio = window.devicePixelRatio || 1;
      canvas.width = Math.floor(viewport.width * pixelRatio);
      canvas.height = Math.floor(viewport.height * pixelRatio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      container.style.width = `${Math.floor(viewport.width)}px`;
      container.style.height = `${Math.floor(viewport.height)}px`;
      container.style.setProperty("--total-scale-factor", String(scale));
      renderTask = pdfPage.render({
        canvas,
        viewport,
        transform: pixelRatio === 1 ? undefined : [pixelRatio, 0, 0, pixelRatio, 0, 0],
      });
      textLayerElement.replaceChildren();
      textLayer = new TextLayer({
        textContentSource: pdfPage.streamTextContent(),
        container: textLayerElement,
        viewport,
      });
      await Promise.all([renderTask.promise, textLayer.render()]);
      if (cancelled) return;
      if (highlightText) {
        const spans = textLayer.textDivs;
        const items = findPassageItems(textLayer.textContentItemsStr, highlightText);
        for (const index of items) spans[index]?.classList.add("passage-highlight");
        spans[items[0] ?? -1]?.scrollIntoView?.({ block: "center" });
        setMissed(items.length === 0);
      }
      setRendering(false);
    })().catch((caught: unknown) => {
      if (cancelled || (caught instanceof Error && caught.name === "RenderingCancelledException")) return;
      setError(caught instanceof Error ? caught.message : String(caught));
      setRendering(false);
    });
    return () => {
      cancelled = true;
      renderTask?.cancel();
      textLayer?.cancel();
    };
  }, [pdf, shown, highlightText]);

  if (error) {
    return (
      <p className="inline-error" role="alert">
        {t("viewer.pdfFailed", { message: error })}
      </p>
    );
  }
  return (
    <section className="pdf-view" aria-busy={!pdf || rendering}>
      <nav className="pdf-pager" aria-label={t("viewer.pageOf", { page: shown, pages: pageCount || "…" })}>
        <button
          type="button"
          className="button"
          disabled={!pdf || shown <= 1}
          onClick={() => onPageChange(shown - 1)}
        >
          {t("viewer.previousPage")}
        </button>
        <span className="pdf-page-number" aria-live="polite">
          {t("viewer.pageOf", { page: shown, pages: pageCount || "…" })}
        </span>
        <button
          type="button"
          className="button"
          disabled={!pdf || shown >= pageCount}
          onClick={() => onPageChange(shown + 1)}
        >
          {t("viewer.nextPage")}
        </button>
      </nav>
      {(!pdf || rendering) && <p className="muted">{t("viewer.renderingPage", { page: shown })}</p>}
      {missed && passage && <p className="muted">{t("viewer.passageNotOnPage", { page: passage.page })}</p>}
      <div className="pdf-page-frame">
        <div ref={pageRef} className="pdf-page" data-page-number={shown}>
          <canvas ref={canvasRef} />
          <div ref={textRef} className="textLayer" />
        </div>
      </div>
    </section>
  );
}
