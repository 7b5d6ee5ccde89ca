import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { decide } from '../../../shared/domain/access/policy.js';
import { tableFile } from '../../../shared/export/table-file.js';
import { IMPORT_MAX_BYTES } from '../../../shared/import/read-table.js';
import type { RosterEntry, RosterPreview, RosterResult, Semester } from '../../../shared/schemas/rosters.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, unitDirectory, type WebContext } from '../context.js';
import { fromServiceError } from '../forms.js';
import { Csrf, Page } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

const PAGE_SIZE = 50;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

const EntryRows: FC<{ entries: RosterEntry[]; name?: (id: string | null) => string }> = ({
  entries,
  name,
}) => (
  <div class="scroll" tabindex={0}>
    <table>
      <thead>
        <tr>
          <th>行</th>
          {name !== undefined && <th>乡镇</th>}
          {name !== undefined && <th>学校</th>}
          <th>花名册类别</th>
          <th>姓名</th>
          <th>年级班级</th>
          <th>居住乡镇</th>
          <th>监护人</th>
          <th>电话</th>
          <th>学籍号</th>
          <th>已核实在外就读</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr data-entry={e.id}>
            <td>{e.row}</td>
            {name !== undefined && <td>{name(e.townshipUnitId)}</td>}
            {name !== undefined && <td>{name(e.schoolUnitId)}</td>}
            <td>{e.kindLabel}</td>
            <td>{e.childNameMasked}</td>
            <td>
              {e.grade}
              {e.className}
            </td>
            <td>{e.residenceTownship}</td>
            <td>{e.guardianNameMasked}</td>
            <td>{e.guardianPhoneMasked}</td>
            <td>{e.registryNumberMasked ?? ''}</td>
            <td>{e.verifiedElsewhere ? '是(不计入台账)' : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

const UploadForm: FC<{ semesterId: string; csrfToken: string | undefined; sha256?: string | undefined }> = ({
  semesterId,
  csrfToken,
  sha256,
}) => (
  <form method="post" action="/rosters/imports" enctype="multipart/form-data" class="card" id="upload">
    <Csrf token={csrfToken} />
    <input type="hidden" name="semester" value={semesterId} />
    <h2>{sha256 === undefined ? '导入本校三类花名册' : '确认报送'}</h2>
    <p class="muted">
      上传 .xlsx 或 .csv(UTF-8 或
      GBK),每行一名儿童;表头可任意顺序:花名册类别(无学籍人员、人在籍不在、籍在人不在)、姓名、
      学校、年级、班级、居住乡镇、居住村、监护人姓名、监护人电话、学籍号、已核实在外就读。上限{' '}
      {IMPORT_MAX_BYTES / 1024 / 1024} MB。姓名、电话等加密保存,列表中脱敏显示。
    </p>
    {sha256 !== undefined && (
      <>
        <input type="hidden" name="sha256" value={sha256} />
        <p>预览无误。请再次选择同一文件,点“报送”(同一文件重复报送不会重复写入)。</p>
      </>
    )}
    <p>
      <input type="file" name="file" accept=".xlsx,.csv" required />{' '}
      <button type="submit" name="mode" value={sha256 === undefined ? 'preview' : 'commit'}>
        {sha256 === undefined ? '预览' : '报送'}
      </button>
    </p>
  </form>
);

/**
 * 三类花名册: a school uploads its rosters (preview, then file); everyone reads the ledger of
 * suspected out-of-school children they may see (a school its own, a township its schools', the
 * bureau all), masked, a page at a time, and downloads it (each download audited).
 */
export function rosterPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function render(
    c: WebContext,
    wanted: string | undefined,
    body: { preview?: RosterPreview; result?: RosterResult; error?: string } = {},
  ) {
    const p = c.get('principal');
    const semesters = (await deps.semesters.list(p, { limit: 20 })).items;
    const semester: Semester | undefined = semesters.find((s) => s.id === wanted) ?? semesters[0];
    const cursor = c.req.query('cursor');
    const [units, ledger] = await Promise.all([
      unitDirectory(deps, p),
      semester === undefined
        ? undefined
        : deps.rosters.ledger(p, { semester: semester.id }, { limit: PAGE_SIZE, cursor }),
    ]);
    const name = (id: string | null) => (id === null ? '' : (units.get(id)?.name ?? id));
    const files =
      semester !== undefined &&
      p.unitId !== undefined &&
      semester.schoolUnitIds.includes(p.unitId) &&
      decide(p, 'case.create', { ownerUnitId: p.unitId }).allowed;
    const preview = body.result ?? body.preview;
    const problems = preview?.problems ?? [];
    return c.html(
      <Page title="三类花名册" chrome={chromeOf(c, { active: 'rosters' })}>
        <h1>三类花名册 · 疑似失学辍学人员台账</h1>
        {decide(p, 'task.create').allowed && (
          <p>
            <a href="/semesters/new">设置学期</a>
          </p>
        )}
        {semester === undefined ? (
          <p class="card">尚未设置学期:由领导小组办公室设置学期及开学日期后,各校开学两周内报送。</p>
        ) : (
          <>
            <form method="get" action="/rosters" class="card row">
              <label>
                学期{' '}
                <select name="semester">
                  {semesters.map((s) => (
                    <option value={s.id} selected={s.id === semester.id}>
                      {s.name}
                    </option>
                  ))}
                </select>
              </label>{' '}
              <button type="submit">查看</button>
              <small>
                开学 {semester.startDate},花名册报送期限 {semester.startDate} 后两周。
              </small>
            </form>
            {body.error !== undefined && (
              <p class="error" role="alert">
                {body.error}
              </p>
            )}
            {body.result !== undefined && (
              <p class="ok" role="status">
                已报送:写入 {body.result.written} 人
                {body.result.committedBefore ? '(此文件此前已报送,未重复写入)' : ''};本校报送任务已提交。
              </p>
            )}
            {preview !== undefined && (
              <>
                {problems.length > 0 && (
                  <div class="error" role="alert">
                    <p>有 {problems.length} 处错误,修改文件后重新预览(未写入任何数据):</p>
                    <ul>
                      {problems.slice(0, 50).map((x) => (
                        <li>{x.message}</li>
                      ))}
                    </ul>
                  </div>
                )}
                <EntryRows entries={preview.entries} />
              </>
            )}
            {files && (
              <UploadForm
                semesterId={semester.id}
                csrfToken={c.get('csrfToken')}
                sha256={
                  body.result === undefined && preview !== undefined && problems.length === 0
                    ? preview.sha256
                    : undefined
                }
              />
            )}
            <h2>疑似失学辍学人员台账</h2>
            <p class="row">
              <a href={`/rosters/export?semester=${semester.id}&format=xlsx`}>下载 Excel</a>
              <a href={`/rosters/export?semester=${semester.id}&format=csv`}>下载 CSV</a>
              <small>姓名、电话已脱敏;不含已核实在外就读的人员;每次下载记入审计。</small>
            </p>
            {ledger === undefined || ledger.items.length === 0 ? (
              <p class="card">台账中暂无人员。</p>
            ) : (
              <EntryRows entries={ledger.items} name={name} />
            )}
            {ledger?.nextCursor != null && (
              <p>
                <a href={`/rosters?semester=${semester.id}&cursor=${encodeURIComponent(ledger.nextCursor)}`}>
                  下一页
                </a>
              </p>
            )}
          </>
        )}
      </Page>,
      body.error !== undefined || problems.length > 0 ? 400 : 200,
    );
  }

  app.get('/rosters', signedIn, (c) => render(c, c.req.query('semester')));

  app.post('/rosters/imports', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const form = await c.req.parseBody({ all: true });
    const semester = typeof form.semester === 'string' && SLUG.test(form.semester) ? form.semester : '';
    const file = form.file;
    if (!(file instanceof File) || file.size === 0)
      return render(c, semester, { error: '请选择要导入的文件' });
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      const preview = await deps.rosters.preview(p, { semester }, bytes, deps.clock());
      if (form.mode !== 'commit' || preview.problems.length > 0) return render(c, semester, { preview });
      if (typeof form.sha256 === 'string' && form.sha256 !== preview.sha256) {
        return render(c, semester, { preview, error: '所选文件与刚才预览的不是同一个文件:请核对后重新预览' });
      }
      return render(c, semester, {
        result: await deps.rosters.commit(p, { semester }, bytes, deps.clock(), file.name),
      });
    } catch (err) {
      const fields = fromServiceError(err);
      if (fields === undefined) throw err;
      return render(c, semester, { error: Object.values(fields).join(';') });
    }
  });

  app.get('/rosters/export', signedIn, async (c) => {
    const semester = c.req.query('semester') ?? '';
    const format = c.req.query('format') === 'csv' ? 'csv' : 'xlsx';
    const { table, fileName } = await deps.rosters.exportLedger(
      c.get('principal'),
      { semester: SLUG.test(semester) ? semester : '-' },
      deps.clock(),
    );
    const file = await tableFile(table, fileName, format, deps.clock());
    return c.body(file.body, 200, file.headers);
  });

  return app;
}
