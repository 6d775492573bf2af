// `//!include file.wgsl` lines: WGSL has no includes, and two families (dense, conv) share the
// tiled GEMM core. Resolution is textual and one level deep; an unknown name is an error.

const INCLUDE_LINE = /^\/\/!include\s+(\S+)\s*$/gm;

export function composeShader(source: string, includes: Record<string, string>): string {
  return source.replace(INCLUDE_LINE, (_line, name: string) => {
    const body = includes[name];
    if (body === undefined) throw new Error(`WGSL include not found: ${name}`);
    return `// ---- begin ${name} ----\n${body}\n// ---- end ${name} ----`;
  });
}

/** The include names a source asks for (for tests that check every include resolves). */
export function listIncludes(source: string): string[] {
  return [...source.matchAll(INCLUDE_LINE)].map((m) => m[1]!);
}
