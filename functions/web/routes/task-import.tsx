import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { decide } from '../../../shared/domain/access/policy.js';
import { ForbiddenError } from '../../../shared/errors.js';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from '../../../shared/import/read-table.js';
import { importTemplate } from '../../../shared/import/template.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import type { ImportPreview, ImportResult } from '../../../shared/services/import-service.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, pathId, type WebContext } from '../context.js';
import { fromServiceError } from '../forms.js';
import { Csrf, Page } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

const KIND_NAMES = { task: '一般任务', report: '定期报告', 'self-check': '自查报告' } as const;

/** The file picker on the task entry page: preview first, then import the same file. */
export const ImportForm: FC<{ planId: string; csrfToken: string | undefined; sha256?: string }> = ({
  planId,
  csrfToken,
  sha256,
}) => (
  <form
    method="post"
    action={`/plans/${planId}/imports`}
    enctype="multipart/form-data"
    class="card"
    id="import"
  >
    <Csrf token={csrfToken} />
    <h2>{sha256 === undefined ? '从任务分解表导入' : '确认导入'}</h2>
    <p class="muted">
      上传 .xlsx 或 .csv(UTF-8 或
      GBK),每行一个任务;表头可任意顺序:序号、工作任务、责任单位、配合单位、完成时限、阶段、类型、备注。 上限{' '}
      {IMPORT_MAX_BYTES / 1024 / 1024} MB、{IMPORT_MAX_ROWS} 行。
      <a href={`/plans/${planId}/imports/template.xlsx`}>下载模板</a>
    </p>
    {sha256 !== undefined && (
      <>
        <input type="hidden" name="sha256" value={sha256} />
        <p>预览无误。请再次选择同一文件,点“导入”创建全部任务(同一文件重复导入不会重复建任务)。</p>
      </>
    )}
    <p>
      <input
        type="file"
        name="file"
        accept=".xlsx,.csv"
        required
        aria-label="任务分解表文件(.xlsx 或 .csv)"
      />{' '}
      {sha256 === undefined ? (
        <button type="submit" name="mode" value="preview">
          预览
        </button>
      ) : (
        <button type="submit" name="mode" value="commit">
          导入
        </button>
      )}
    </p>
  </form>
);

const PreviewTable: FC<{ preview: ImportPreview }> = ({ preview }) => (
  <div class="scroll" tabindex={0}>
    <table>
      <thead>
        <tr>
          <th>行</th>
          <th>序号</th>
          <th>工作任务</th>
          <th>责任单位</th>
          <th>配合单位</th>
          <th>完成时限(原文 → 识别)</th>
          <th>阶段</th>
          <th>类型</th>
          <th>问题</th>
        </tr>
      </thead>
      <tbody>
        {preview.rows.map((r) => (
          <tr class={r.problems.length > 0 ? 'bad' : undefined}>
            <td>{r.row}</td>
            <td>{r.seq}</td>
            <td>{r.title}</td>
            <td>{r.lead.units.map((u) => u.name).join('、') || r.lead.text}</td>
            <td>{r.co.units.map((u) => u.name).join('、') || r.co.text}</td>
            <td>
              {r.deadline.text} → {r.deadline.reading ?? '无法识别'}
            </td>
            <td>{r.phase.name ?? r.phase.text}</td>
            <td>{KIND_NAMES[r.kind]}</td>
            <td>
              {r.problems.map((p) => (
                <div class="error">{p.message}</div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

/** Importing a task table from the office's page: preview, then commit. */
export function taskImportPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function load(c: WebContext): Promise<Plan> {
    const p = c.get('principal');
    if (!decide(p, 'task.create').allowed) throw new ForbiddenError('只有领导小组办公室可以导入任务');
    return deps.plans.get(p, pathId(c, 'planId', '工作方案'));
  }

  const show = (
    c: WebContext,
    plan: Plan,
    body: { preview?: ImportPreview; result?: ImportResult; error?: string },
  ) => {
    const preview = body.result ?? body.preview;
    const problems = preview?.problems ?? [];
    return c.html(
      <Page title="导入任务" chrome={chromeOf(c, { active: 'tasks', planId: plan.id })}>
        <h1>导入任务 · {plan.title}</h1>
        {body.error !== undefined && (
          <p class="error" role="alert">
            {body.error}
          </p>
        )}
        {body.result !== undefined && (
          <p class="ok" role="status">
            已导入:新建 {body.result.created} 条任务
            {body.result.existing > 0 ? `,${body.result.existing} 条此前已导入,未重复创建` : ''}。
          </p>
        )}
        {preview !== undefined && (
          <>
            {preview.notices.map((n) => (
              <p class="muted">{n}</p>
            ))}
            {preview.committedBefore && body.result === undefined && (
              <p class="muted">此文件已导入过本方案:再次导入不会新建任务。</p>
            )}
            {problems.length > 0 && (
              <div class="error" role="alert">
                <p>有 {problems.length} 处错误,修改文件后重新预览:</p>
                <ul>
                  {problems.slice(0, 50).map((p) => (
                    <li>{p.message}</li>
                  ))}
                </ul>
              </div>
            )}
            <PreviewTable preview={preview} />
          </>
        )}
        <ImportForm
          planId={plan.id}
          csrfToken={c.get('csrfToken')}
          {...(body.result === undefined && preview !== undefined && problems.length === 0
            ? { sha256: preview.sha256 }
            : {})}
        />
        <p>
          <a href={`/plans/${plan.id}/tasks/new`}>返回任务录入</a>
        </p>
      </Page>,
      body.error !== undefined || problems.length > 0 ? 400 : 200,
    );
  };

  app.get('/plans/:planId/imports/template.xlsx', signedIn, async (c) => {
    await load(c);
    return c.body((await importTemplate()) as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="template.xlsx"; filename*=UTF-8''${encodeURIComponent('任务分解表模板.xlsx')}`,
    });
  });

  app.post('/plans/:planId/imports', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const plan = await load(c);
    const form = await c.req.parseBody({ all: true });
    const file = form.file;
    if (!(file instanceof File) || file.size === 0) return show(c, plan, { error: '请选择要导入的文件' });
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      if (form.mode !== 'commit')
        return show(c, plan, { preview: await deps.imports.preview(p, plan.id, bytes, deps.clock()) });
      const preview = await deps.imports.preview(p, plan.id, bytes, deps.clock());
      if (typeof form.sha256 === 'string' && form.sha256 !== preview.sha256) {
        return show(c, plan, { preview, error: '所选文件与刚才预览的不是同一个文件:请核对后重新预览' });
      }
      if (preview.problems.length > 0) return show(c, plan, { preview });
      return show(c, plan, { result: await deps.imports.commit(p, plan.id, bytes, deps.clock(), file.name) });
    } catch (err) {
      const fields = fromServiceError(err);
      if (fields === undefined) throw err;
      return show(c, plan, { error: Object.values(fields).join(';') });
    }
  });

  return app;
}
