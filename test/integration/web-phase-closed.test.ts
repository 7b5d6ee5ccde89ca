import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2025-09-05T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };

/** A clerk who picks a closed phase on a form is told so by the phase field, and keeps the form. */
describe('pages: a closed phase on the task form', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let planId: string;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    await web.services.units.create(
      OFFICE,
      CreateUnitSchema.parse({ id: 'village', name: '柳湾村', kind: 'village' }),
      NOW,
    );
    const plan = await web.services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: '迎国检',
        phases: [
          { key: 'mobilize', name: '部署发动阶段', start: '2025-09-01', end: '2025-09-10' },
          { key: 'self-check', name: '自查补短阶段', start: '2025-09-11', end: '2025-09-30' },
        ],
      }),
      NOW,
    );
    planId = plan.id;
    await web.services.supervision.closePhase(OFFICE, planId, 'mobilize', {}, NOW);
  });

  it('shows phase_closed next to the phase, keeps what was typed, and creates nothing', async () => {
    const office = web.browser();
    await office.signIn('office');
    const res = await office.post(`/plans/${planId}/tasks`, {
      title: '宣传动员',
      description: '张贴标语',
      phaseKey: 'mobilize',
      kind: 'task',
      dueDate: '2025-09-09',
      dueTime: '17:00',
      leadUnitId: 'village',
    });
    expect(res.status).toBe(400);
    const near = res.html.slice(res.html.indexOf('id="phaseKey"'), res.html.indexOf('id="phaseKey"') + 1500);
    expect(near).toContain('该阶段已关闭');
    expect(res.html).toContain('张贴标语');
    expect((await web.services.plans.listTasks(OFFICE, planId, { limit: 10 })).items).toEqual([]);
  });
});
