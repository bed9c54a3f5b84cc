import { describe, expect, it } from "vitest";
import { nextTextSize, textSizeStepOf } from "../src/textSize";

const SIZES = [100, 125, 150, 175, 200];

describe("text size", () => {
  it("steps through the offered sizes and stops at the ends", () => {
    expect(nextTextSize(SIZES, 100, "larger")).toBe(125);
    expect(nextTextSize(SIZES, 175, "larger")).toBe(200);
    expect(nextTextSize(SIZES, 200, "larger")).toBe(200);
    expect(nextTextSize(SIZES, 125, "smaller")).toBe(100);
    expect(nextTextSize(SIZES, 100, "smaller")).toBe(100);
    expect(nextTextSize(SIZES, 175, "normal")).toBe(100);
  });

  it("reads Ctrl + / Ctrl − / Ctrl 0, and nothing without Ctrl or with Alt", () => {
    const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = { ctrlKey: true }) =>
      textSizeStepOf({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });
    expect(key("+")).toBe("larger");
    expect(key("=")).toBe("larger");
    expect(key("-")).toBe("smaller");
    expect(key("0")).toBe("normal");
    expect(key("0", { metaKey: true })).toBe("normal");
    expect(key("+", {})).toBeNull();
    expect(key("+", { ctrlKey: true, altKey: true })).toBeNull();
    expect(key("a")).toBeNull();
  });
});
