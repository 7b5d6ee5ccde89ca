import { createHash } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { EVIDENCE_CONTENT_TYPES } from '../../shared/domain/evidence/limits.js';

/** Filters the unit tree of the task form by name or pinyin initials. */
export const UNIT_FILTER_JS =
  "document.getElementById('uf').oninput=function(){var q=this.value.trim().toLowerCase();document.querySelectorAll('.tree [data-f]').forEach(function(r){r.hidden=q!==''&&r.getAttribute('data-f').indexOf(q)<0})}";

/** The content type of each extension the evidence upload takes, for a file the browser cannot type. */
const EXTENSION_TYPES = Object.fromEntries(
  Object.entries(EVIDENCE_CONTENT_TYPES).flatMap(([type, spec]) => spec.extensions.map((ext) => [ext, type])),
);

/**
 * The evidence rows' upload (progressive enhancement: without it the rows are typed by hand). Each
 * `[data-up]` block (hidden until this runs) holds a file input; choosing a file asks the page's
 * upload endpoint (the form's `data-uploads`, with the form's anti-forgery token) for an upload URL,
 * PUTs the file there with the headers given, then fills the row's ref with the file key and its
 * title with the file name if empty, and says 已上传 or why not, in Chinese.
 */
export const EVIDENCE_UPLOAD_JS = `(function(){var T=${JSON.stringify(EXTENSION_TYPES)};document.querySelectorAll('[data-up]').forEach(function(p){p.style.display='';var i=p.getAttribute('data-up'),f=p.querySelector('input[type=file]'),m=p.querySelector('[role=status]'),fm=f.form;function say(t,ok){m.textContent=t;m.className=ok?'':'err-msg'}f.onchange=function(){var x=f.files[0];if(!x)return;var e=x.name.indexOf('.')<0?'':x.name.split('.').pop().toLowerCase(),b=new URLSearchParams();b.set('_csrf',fm.elements._csrf.value);b.set('fileName',x.name);b.set('contentType',T[e]||x.type);b.set('size',String(x.size));say('正在上传…',1);fetch(fm.getAttribute('data-uploads'),{method:'POST',body:b,credentials:'same-origin'}).then(function(r){return r.json().catch(function(){return{}}).then(function(j){if(!r.ok)throw{m:(j.error&&j.error.message)||'申请上传失败(HTTP '+r.status+'),请刷新页面后重试'};return fetch(j.uploadUrl,{method:'PUT',headers:j.headers,body:x}).then(function(u){if(!u.ok)throw{m:'上传失败(HTTP '+u.status+'),请重试'};fm.elements['evidence.'+i+'.ref'].value=j.fileKey;var n=fm.elements['evidence.'+i+'.title'];if(n.value.trim()==='')n.value=x.name;say('已上传',1)})})}).catch(function(err){say((err&&err.m)||'上传失败,请检查网络后重试',0)})}})})()`;

const hashOf = (script: string) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
const SCRIPT_SRC = [UNIT_FILTER_JS, EVIDENCE_UPLOAD_JS].map(hashOf).join(' ');

/**
 * Nothing but this site's own inline CSS and the scripts above runs; no page can be framed (a
 * one-click 通过办结 must not be clickjacked); forms post only here; scripts talk only to this site
 * and, where a page uploads evidence, to `uploadOrigin` (the S3 bucket in AWS; locally the upload
 * route is this site).
 */
export function pageCsp(uploadOrigin?: string): string {
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `script-src ${SCRIPT_SRC}`,
    `connect-src 'self'${uploadOrigin === undefined ? '' : ` ${uploadOrigin}`}`,
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const CSP = pageCsp();

/**
 * Security headers of every page response, set after the handler (error pages included). A page
 * that uploads may have set its own policy, made by `pageCsp` with the upload origin; any other
 * page gets the default. `nosniff` and `no-store` come with every answer of the app (app.ts).
 */
export const pageHeaders = createMiddleware(async (c, next) => {
  await next();
  if (!c.res.headers.has('content-security-policy')) c.res.headers.set('content-security-policy', CSP);
  c.res.headers.set('x-frame-options', 'DENY');
  c.res.headers.set('referrer-policy', 'same-origin');
});
