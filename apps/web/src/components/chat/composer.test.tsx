import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../i18n/i18n";
import { Composer } from "./composer";

function setup(busy = false) {
  const onSend = vi.fn();
  const onStop = vi.fn();
  render(
    <I18nProvider initialLocale="en">
      <Composer onSend={onSend} onStop={onStop} busy={busy} />
    </I18nProvider>,
  );
  return { onSend, onStop, input: screen.getByLabelText("Your question") as HTMLTextAreaElement };
}

describe("Composer", () => {
  it("sends on Enter and clears the box", async () => {
    const { onSend, input } = setup();
    await userEvent.type(input, "年假有几天？{Enter}");
    expect(onSend).toHaveBeenCalledExactlyOnceWith("年假有几天？");
    expect(input.value).toBe("");
  });

  it("adds a line on Shift+Enter without sending", async () => {
    const { onSend, input } = setup();
    await userEvent.type(input, "line one{Shift>}{Enter}{/Shift}line two");
    expect(onSend).not.toHaveBeenCalled();
    expect(input.value).toBe("line one\nline two");
    await userEvent.type(input, "{Enter}");
    expect(onSend).toHaveBeenCalledWith("line one\nline two");
  });

  it("does not send while an input method is composing", () => {
    const { onSend, input } = setup();
    fireEvent.change(input, { target: { value: "nian" } });
    fireEvent.keyDown(input, { key: "Enter", isComposing: true });
    expect(onSend).not.toHaveBeenCalled();
    expect(input.value).toBe("nian");
  });

  it("ignores Enter on an empty box", async () => {
    const { onSend, input } = setup();
    await userEvent.type(input, "   {Enter}");
    expect(onSend).not.toHaveBeenCalled();
  });

  it("shows Stop while busy and does not send", async () => {
    const { onSend, onStop, input } = setup(true);
    await userEvent.type(input, "next question{Enter}");
    expect(onSend).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Stop generating" }));
    expect(onStop).toHaveBeenCalledOnce();
  });

  it("is reachable by keyboard: Tab to the box, type, Tab to Send", async () => {
    const { onSend } = setup();
    await userEvent.tab();
    expect(document.activeElement).toBe(screen.getByLabelText("Your question"));
    await userEvent.keyboard("hello");
    await userEvent.tab();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Send" }));
    await userEvent.keyboard("{Enter}");
    expect(onSend).toHaveBeenCalledWith("hello");
  });
});
