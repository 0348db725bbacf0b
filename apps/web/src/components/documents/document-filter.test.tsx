import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n/i18n";
import type { DocumentStatus } from "../../lib/api-types";
import { type DocumentFilter, DocumentFilterBar, filterDocuments, NO_FILTER } from "./document-filter";

const rows: { name: string; status: DocumentStatus }[] = [
  { name: "guide/Redis 持久化.md", status: "ready" },
  { name: "guide/intro.md", status: "processing" },
  { name: "scan.pdf", status: "failed" },
  { name: "notes/redis-cluster.txt", status: "queued" },
];

describe("filterDocuments", () => {
  it("keeps every document without a filter", () => {
    expect(filterDocuments(rows, NO_FILTER)).toEqual(rows);
  });

  it("matches part of the name in any case, and the status; in progress is queued or processing", () => {
    const names = (filter: DocumentFilter) => filterDocuments(rows, filter).map((row) => row.name);
    expect(names({ query: " REDIS ", status: "all" })).toEqual([
      "guide/Redis 持久化.md",
      "notes/redis-cluster.txt",
    ]);
    expect(names({ query: "", status: "active" })).toEqual(["guide/intro.md", "notes/redis-cluster.txt"]);
    expect(names({ query: "guide/", status: "ready" })).toEqual(["guide/Redis 持久化.md"]);
    expect(names({ query: "", status: "failed" })).toEqual(["scan.pdf"]);
    expect(names({ query: "持久化", status: "failed" })).toEqual([]);
  });
});

function FilteredList() {
  const [filter, setFilter] = useState(NO_FILTER);
  const shown = filterDocuments(rows, filter);
  return (
    <>
      <DocumentFilterBar filter={filter} onChange={setFilter} shown={shown.length} total={rows.length} />
      <ul>
        {shown.map((row) => (
          <li key={row.name}>{row.name}</li>
        ))}
      </ul>
    </>
  );
}

describe("DocumentFilterBar", () => {
  it("narrows the list as one types and picks a status, and says how many are shown", () => {
    render(
      <I18nProvider initialLocale="zh">
        <FilteredList />
      </I18nProvider>,
    );
    expect(screen.getByRole("status").textContent).toBe("显示 4 / 4");
    fireEvent.change(screen.getByLabelText("按名称筛选文档"), { target: { value: "redis" } });
    expect(screen.getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "guide/Redis 持久化.md",
      "notes/redis-cluster.txt",
    ]);
    fireEvent.change(screen.getByLabelText("状态"), { target: { value: "active" } });
    expect(screen.getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "notes/redis-cluster.txt",
    ]);
    expect(screen.getByRole("status").textContent).toBe("显示 1 / 4");
  });
});
