import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2026-11-25T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };
/** More tasks than the duty page used to list (1,000) to find the one it shows. */
const TASKS = 1010;

/**
 * A page that shows one thing reads that thing by id: the duty page found its task, and the
 * office's plan pages their plan, by listing (capped) and searching, so past the cap a duty's
 * 工作要求 silently went missing.
 */
describe('pages read what they show by id, however big the plan', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let planId: string;
  /** Each created task's one duty (the bureau's). */
  const dutyOfTask = new Map<string, string>();

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = (await seedDemo(web.services, NOW)).planId;
    const numbers = Array.from({ length: TASKS }, (_, i) => i);
    for (let at = 0; at < numbers.length; at += 20) {
      const created = await Promise.all(
        numbers.slice(at, at + 20).map((i) =>
          web.services.plans.createTask(
            OFFICE,
            planId,
            CreateTaskSchema.parse({
              title: `第${i}项核查`,
              description: `工作要求${i}:逐校核对花名册`,
              phaseKey: 'self-check',
              leadUnitId: 'edu-bureau',
              dueAt: '2026-12-10T17:00:00+08:00',
            }),
            NOW,
          ),
        ),
      );
      for (const task of created) dutyOfTask.set(task.id, task.duties[0]?.id ?? '');
    }
  }, 240_000);

  it('shows the task’s requirements on the duty page of a task listed after the first 1,000', async () => {
    const listed: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await web.services.plans.listTasks(OFFICE, planId, { limit: 100, cursor });
      listed.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(listed.length).toBeGreaterThan(1000);
    // The last of ours in the listing (the demo's own tasks share the clock's id prefix, so one of
    // them may sort last): past the first 1,000 whatever the random part of the ids.
    const lastTaskId = listed.findLast((id) => dutyOfTask.has(id)) ?? '';
    expect(listed.indexOf(lastTaskId)).toBeGreaterThanOrEqual(1000);
    const task = await web.services.plans.getTask(OFFICE, planId, lastTaskId);
    const dutyId = dutyOfTask.get(lastTaskId);
    if (task === undefined || dutyId === undefined) throw new Error(`no task or duty ${lastTaskId}`);

    const office = web.browser();
    await office.signIn('office');
    const res = await office.get(`/duties/${dutyId}`);
    expect(res.status).toBe(200);
    expect(res.html).toContain('工作要求:');
    expect(res.html).toContain(`工作要求${task.title.replace(/\D/g, '')}:逐校核对花名册`);
  });
});
