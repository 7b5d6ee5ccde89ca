import { Hono } from 'hono';
import { workingDaysLate } from '../../../shared/domain/calendar/working-calendar.js';
import { DUTY_STATUS_LABELS } from '../../../shared/domain/duty/duty-status.js';
import { levelLabel } from '../../../shared/domain/escalation/ladder.js';
import { localDateOf } from '../../../shared/domain/time/zoned-time.js';
import { ConflictError } from '../../../shared/errors.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import type { AppDeps } from '../../api/deps.js';
import { pathId, unitDirectory, workingCalendar } from '../context.js';
import { roleWord } from '../duty-parts.js';
import { dateTime } from '../format.js';
import { InstructionLines, PrintSheet, Row } from '../print-parts.js';
import { requireSession, type WebEnv } from '../session.js';

/** "12.3 KB" for a file's recorded size. */
const sizeText = (bytes: number | undefined) =>
  bytes === undefined
    ? ''
    : bytes < 1024
      ? `${bytes} B`
      : bytes < 1024 * 1024
        ? `${(bytes / 1024).toFixed(1)} KB`
        : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** An evidence ref as people read it: an uploaded file's own name, else the link or 档号 as given. */
const refText = (ref: string) => (ref.startsWith('duties/') ? (ref.split('/').at(-1) ?? ref) : ref);

/**
 * The paper forms the office files (A4, print CSS, no script): 督办单 of a task, 催办单 of an overdue
 * duty, 办结单 of an accepted one. Each reads through the services with the signed-in principal, so
 * the policy decides who prints what, as on every page.
 */
export function printPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  // 督办单: the task, its units, deadline and requirements, numbered in its plan (office, leaders).
  app.get('/print/plans/:planId/tasks/:taskId', signedIn, async (c) => {
    const p = c.get('principal');
    const now = deps.clock();
    const planId = pathId(c, 'planId', '工作方案');
    const taskId = pathId(c, 'taskId', '任务');
    const [task, plan, units, number, instructions] = await Promise.all([
      deps.plans.taskWithDuties(p, planId, taskId, now),
      deps.plans.get(p, planId),
      unitDirectory(deps, p),
      deps.plans.taskNumber(p, planId, taskId),
      deps.instructions.forTask(p, planId, taskId),
    ]);
    const tz = plan.timezone;
    const name = (id: string) => units.get(id)?.name ?? id;
    const year = localDateOf(new Date(task.createdAt), tz).slice(0, 4);
    const phase = plan.phases.find((ph) => ph.key === task.phaseKey);
    return c.html(
      <PrintSheet
        title="督办单"
        number={`督办〔${year}〕第 ${number} 号`}
        back={`/plans/${planId}/ledger/${taskId}`}
      >
        <table>
          <tbody>
            <Row label="工作方案">
              {plan.title} · {phase?.name ?? task.phaseKey}
            </Row>
            <Row label="督办事项">{task.title}</Row>
            <Row label="牵头单位">{name(task.leadUnitId)}</Row>
            <Row label="配合单位">
              {task.coUnitIds.length === 0 ? '无' : task.coUnitIds.map(name).join('、')}
            </Row>
            <Row label="办结时限">
              {task.dueAt === null ? '按周期报送(见各单位任务)' : dateTime(task.dueAt, tz, now)}
            </Row>
            <Row label="工作要求">
              <span class="pre">{task.description === '' ? '按工作方案要求办理' : task.description}</span>
            </Row>
            <Row label="领导批示">
              <InstructionLines origin={task.fromInstruction} items={instructions} />
            </Row>
            <Row label="交办日期">{dateTime(task.createdAt, tz, now)}</Row>
          </tbody>
        </table>
        <table class="inner">
          <thead>
            <tr>
              <th>责任单位</th>
              <th>职责</th>
              <th>截止时间</th>
              <th>办理状态</th>
            </tr>
          </thead>
          <tbody>
            {task.duties.map((d) => (
              <tr data-duty={d.id}>
                <td>
                  {name(d.unitId)}
                  {d.handedOffFrom ? `(${name(d.handedOffFrom.unitId)}转办)` : ''}
                </td>
                <td>{roleWord(d)}</td>
                <td>{dateTime(d.dueAt, tz, now)}</td>
                <td>
                  {DUTY_STATUS_LABELS[d.status]}
                  {d.overdue ? '(已逾期)' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>请各责任单位按时限办结,并将办理情况和佐证材料报领导小组办公室。</p>
        <div class="sign">
          <p>交办单位(盖章):领导小组办公室</p>
          <p>签收人:__________ 日期:__________</p>
        </div>
      </PrintSheet>,
    );
  });

  // 催办单: an overdue duty, its working days late and the notices sent about it.
  app.get('/print/duties/:dutyId/reminder', signedIn, async (c) => {
    const p = c.get('principal');
    const now = deps.clock();
    const duty = await deps.duties.get(p, pathId(c, 'dutyId', '任务'), now);
    if (!duty.overdue) {
      throw new ConflictError('not_overdue', '该任务没有逾期,不需要催办单');
    }
    const [plan, units, notices] = await Promise.all([
      deps.plans.get(p, duty.planId),
      unitDirectory(deps, p),
      // The unit's notices in this plan, newest first: one page of its inbox, this duty's kept.
      deps.notices.list(p, { unitId: duty.unitId, planId: duty.planId }, { limit: 100 }),
    ]);
    const tz = plan.timezone;
    const calendar = await workingCalendar(deps, p, [
      Number(localDateOf(new Date(duty.dueAt), tz).slice(0, 4)),
      Number(localDateOf(now, tz).slice(0, 4)),
    ]);
    const late = workingDaysLate(new Date(duty.dueAt), now, tz, calendar);
    const sent = notices.items.filter((n) => n.dutyId === duty.id).reverse();
    const unitName = units.get(duty.unitId)?.name ?? duty.unitId;
    return c.html(
      <PrintSheet
        title="催办单"
        number={`第 ${duty.round} 轮 · ${dateTime(now.toISOString(), tz)}`}
        back={`/duties/${duty.id}`}
      >
        <table>
          <tbody>
            <Row label="责任单位">{unitName}</Row>
            <Row label="督办事项">{duty.title}</Row>
            <Row label="工作方案">{plan.title}</Row>
            <Row label="办结时限">{dateTime(duty.dueAt, tz, now)}</Row>
            <Row label="逾期情况">
              <strong>已逾期 {late} 个工作日</strong>
              {duty.lastNoticeLevel !== null && `,已发出“${levelLabel(duty.lastNoticeLevel)}”`}
            </Row>
          </tbody>
        </table>
        <table class="inner">
          <thead>
            <tr>
              <th>时间</th>
              <th>通知</th>
              <th>说明</th>
            </tr>
          </thead>
          <tbody>
            {sent.length === 0 ? (
              <tr>
                <td colspan={3}>尚未发出通知</td>
              </tr>
            ) : (
              sent.map((n) => (
                <tr data-notice={n.id}>
                  <td>{dateTime(n.createdAt, tz, now)}</td>
                  <td>{n.levelLabel}</td>
                  <td class="pre">{n.text ?? `逾期 ${n.workingDaysLate} 个工作日`}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
        <p>
          {unitName}
          :上述事项已超过办结时限,请于收到本单后立即办理,并将办理情况和佐证材料报领导小组办公室;确有困难的,请书面说明原因。
        </p>
        <div class="sign">
          <p>催办单位(盖章):领导小组办公室</p>
          <p>签收人:__________ 日期:__________</p>
        </div>
      </PrintSheet>,
    );
  });

  // 办结单: the accepted submission with its evidence, the confirmations and the review.
  app.get('/print/duties/:dutyId/completion', signedIn, async (c) => {
    const p = c.get('principal');
    const now = deps.clock();
    const duty: Duty = await deps.duties.get(p, pathId(c, 'dutyId', '任务'), now);
    const submission = duty.submission;
    if (duty.status !== 'accepted' || submission === null) {
      throw new ConflictError('not_accepted', '该任务尚未审核办结,不能打印办结单');
    }
    const [plan, units] = await Promise.all([deps.plans.get(p, duty.planId), unitDirectory(deps, p)]);
    const tz = plan.timezone;
    const name = (id: string) => units.get(id)?.name ?? id;
    const accepted = duty.reviews.findLast((r) => r.decision === 'accepted');
    const returned = duty.reviews.filter((r) => r.decision === 'returned');
    return c.html(
      <PrintSheet title="办结单" number={`${plan.title}`} back={`/duties/${duty.id}`}>
        <table>
          <tbody>
            <Row label="督办事项">{duty.title}</Row>
            <Row label="责任单位">{name(duty.unitId)}</Row>
            <Row label="办结时限">{dateTime(duty.dueAt, tz, now)}</Row>
            <Row label="提交时间">{dateTime(submission.submittedAt, tz, now)}</Row>
            <Row label="办理情况">
              <span class="pre">{submission.note}</span>
            </Row>
            {submission.contributions.length > 0 && (
              <Row label="各单位办理">
                {submission.contributions.map((k) => (
                  <p class="pre">
                    {name(k.unitId)}:{k.note ?? '(无说明)'}
                  </p>
                ))}
              </Row>
            )}
            {duty.confirmations.length > 0 && (
              <Row label="逐级确认">
                {duty.confirmations.map((k) => (
                  <p>
                    {name(k.unitId)} {dateTime(k.at, tz, now)}:{k.note}
                  </p>
                ))}
              </Row>
            )}
            <Row label="审核意见">
              {accepted === undefined
                ? ''
                : `${dateTime(accepted.at, tz, now)} 审核通过,予以办结。${accepted.note ?? ''}`}
              {returned.length > 0 && <p class="muted">此前退回整改 {returned.length} 次。</p>}
            </Row>
          </tbody>
        </table>
        <table class="inner">
          <thead>
            <tr>
              <th>序号</th>
              <th>佐证材料</th>
              <th>文件或出处</th>
              <th>大小</th>
            </tr>
          </thead>
          <tbody>
            {submission.evidence.length === 0 ? (
              <tr>
                <td colspan={4}>{submission.nothingToReport ? '零报告,无佐证材料' : '无'}</td>
              </tr>
            ) : (
              submission.evidence.map((e, i) => (
                <tr>
                  <td>{i + 1}</td>
                  <td>{e.title}</td>
                  <td>{refText(e.ref)}</td>
                  <td>{sizeText(e.size)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
        <div class="sign">
          <p>审核单位(盖章):领导小组办公室</p>
          <p>日期:{accepted === undefined ? '' : localDateOf(new Date(accepted.at), tz)}</p>
        </div>
      </PrintSheet>,
    );
  });

  return app;
}
