// The integration app's pages: deliberately plain, it plays the part of a third-party app such as Zapier.
import type { Lead } from './leads-client.js';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function layout(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>LeadSync — an integration</title>
<style>
*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#fff7ed;color:#1c1917}
main{max-width:720px;margin:0 auto;padding:32px 20px}
h1{font-size:1.6rem;margin:0 0 4px} .tag{color:#9a3412;margin:0 0 24px}
.button{display:inline-block;background:#ea580c;color:#fff;border:0;border-radius:10px;padding:14px 22px;font-size:1rem;font-weight:600;text-decoration:none;cursor:pointer}
.button:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px} .secondary{background:#fff;color:#9a3412;border:1px solid #fdba74}
.notice{background:#fff;border:1px solid #fdba74;border-radius:10px;padding:12px 16px;margin:0 0 20px}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:10px;overflow:hidden;margin:0 0 20px}
th,td{text-align:left;padding:10px 12px;border-bottom:1px solid #fed7aa;overflow-wrap:anywhere} th{background:#ffedd5}
@media (max-width:520px){
  main{padding:24px 16px}
  .button{display:block;width:100%;text-align:center}
  table,tbody,tr,td{display:block;width:100%} thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
  tr{border-bottom:1px solid #fed7aa;padding:8px 0} td{border:0;padding:4px 12px}
  td::before{content:attr(data-label) ": ";font-weight:600;color:#9a3412}
}
</style></head><body><main><h1>LeadSync</h1><p class="tag">Sends your new leads to your other tools.</p>${body}</main></body></html>`;
}

export function homePage(input: { connected: boolean; leads?: Lead[]; notice?: string }): string {
  const notice = input.notice ? `<p class="notice" role="status">${escape(input.notice)}</p>` : '';
  if (!input.connected) {
    return layout(`${notice}<p>Connect your platform account so LeadSync can read your leads.</p>
<a class="button" href="/connect">Connect your account</a>`);
  }
  const rows = (input.leads ?? []).map((lead) => `<tr><td data-label="Name">${escape(lead.name)}</td><td data-label="Company">${escape(lead.company)}</td><td data-label="Email">${escape(lead.email)}</td></tr>`).join('');
  return layout(`${notice}<h2>Your leads</h2>
${rows ? `<table><thead><tr><th>Name</th><th>Company</th><th>Email</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No leads yet.</p>'}
<form method="post" action="/disconnect"><button class="button secondary" type="submit">Disconnect</button></form>`);
}
