// HTML building for the person-facing pages: every interpolated value goes through escapeHtml
// (user names, NAS names and Calling-Station-Id come from the network and may hold markup).

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * A whole page: external stylesheet and script only (the CSP allows nothing inline). Asset links
 * are relative (every page lives at /v1/{kind}/{token}), so a path prefix in api.publicUrl works.
 */
export function htmlPage(options: { title: string; body: string; script?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="../assets/page.css">
</head>
<body>
<main>
${options.body}
</main>
${options.script ? `<script src="../assets/${escapeHtml(options.script)}" defer></script>` : ''}
</body>
</html>
`;
}

/** `2026-11-21 23:41 UTC`: unambiguous on any phone, whatever its locale. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
