// Stylesheet of the person-facing pages, served as /v1/assets/page.css: mobile first, big buttons.
export const PAGE_STYLE = `
*{box-sizing:border-box}
[hidden]{display:none !important}
body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f4f6f8}
main{max-width:28rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.35rem;margin:.5rem 0 1rem}
h2{font-size:1.1rem}
dl.details{background:#fff;border-radius:.75rem;padding:.75rem 1rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.row{display:flex;justify-content:space-between;gap:1rem;padding:.35rem 0;border-bottom:1px solid #eef0f2}
.row:last-child{border-bottom:0}
dt{color:#5b6470}
dd{margin:0;font-weight:600;text-align:right;overflow-wrap:anywhere}
label{display:block;margin:.5rem 0 .25rem}
input{width:100%;font-size:1.6rem;padding:.5rem;text-align:center;letter-spacing:.2em;border:1px solid #c4cad1;border-radius:.5rem}
button{display:block;width:100%;font-size:1.05rem;padding:.85rem;margin:.6rem 0;border:0;border-radius:.6rem;cursor:pointer}
button:disabled{opacity:.6}
.approve{background:#1a7f37;color:#fff}
.deny{background:#e7eaee;color:#1b1f24}
.fraud{background:transparent;color:#b42318;text-decoration:underline}
#show-qr,#confirm-code,#enroll-push{background:#0b5cad;color:#fff}
#qr{background:#fff;padding:1rem;width:16rem;max-width:100%;margin:0 auto}
#qr svg{display:block;width:100%;height:auto}
code{overflow-wrap:anywhere}
#result{font-weight:600;min-height:1.5rem}
`;
