/**
 * Issue 17, found by the whole-loop Chromium test: units a township passed its duty down to (转办)
 * are no co-units, and say so wherever a role is shown; a returned duty offers 转办 only to the
 * units not yet handed it; a returned duty's page and 我的任务 say 退回整改 before the light.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Duty } from '../../shared/schemas/duties.js';
import {
  formKeyOf,
  TOWNSHIP_NOW,
  TOWNSHIP_OFFICE,
  townshipClerk,
  townshipPlan,
} from '../fixtures/township-plan.js';
import { webApp } from './web-harness.js';

const NOW = TOWNSHIP_NOW;
const OFFICE = TOWNSHIP_OFFICE;
const unit = townshipClerk;
const keyOf = formKeyOf;
const report = (note: string) => ({ note, evidence: [], nothingToReport: false });
/** The text of the first element carrying `marker`, tags dropped (up to `length` characters of html). */
const textNear = (html: string, marker: string, length = 2000) =>
  html
    .slice(html.indexOf(marker), html.indexOf(marker) + length)
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ');

describe('pages: 转办 is no co-unit; returned work offers only the units not yet handed it', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let planId: string;
  let taskId: string;
  let town: Duty;
  let village: Duty;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = await townshipPlan(web.services, [{ id: 'west', name: '西街村', kind: 'village' }]);
    const task = await web.services.plans.createTask(
      OFFICE,
      planId,
      {
        title: '适龄儿童入学摸排',
        phaseKey: 'work',
        leadUnitId: 'town',
        dueAt: '2026-06-30',
        coUnitIds: ['other'],
        kind: 'task',
        signOffLevels: 0,
      },
      NOW,
    );
    taskId = task.id;
    town = task.duties.find((d) => d.unitId === 'town') as Duty;
    const handed = await web.services.handoffs.handOff(
      unit('town'),
      town.id,
      { unitIds: ['village', 'school'], note: '请各村校核查' },
      NOW,
    );
    village = handed.children.find((d) => d.unitId === 'village') as Duty;
    for (const child of handed.children) {
      await web.services.duties.submit(unit(child.unitId), child.id, report(`${child.unitId} 已核查`), NOW);
      await web.services.duties.confirm(unit('town'), child.id, { note: '经核实属实' }, NOW);
    }
    const other = task.duties.find((d) => d.unitId === 'other') as Duty;
    await web.services.duties.submit(unit('other'), other.id, report('柳湾镇已核查'), NOW);
  });

  it('labels the duties passed down 转办, apart from the co-units, on every page that shows a role', async () => {
    const office = web.browser();
    await office.signIn('office');
    const review = await office.get(`/plans/${planId}/review`);
    expect(review.status).toBe(200);
    const card = textNear(review.html, `data-duty="${village.id}"`, 1200);
    expect(card).toContain('东街村');
    expect(card).toContain('转办');
    expect(card).not.toContain('配合');

    const page = web.browser();
    await page.signIn('unit:town');
    const duty = await page.get(`/duties/${town.id}`);
    expect(duty.status).toBe(200);
    const partners = textNear(duty.html, 'data-partners="co"', 1500);
    expect(partners).toContain('配合单位(1/1 已报送)');
    expect(partners).toContain('柳湾镇');
    expect(partners).not.toContain('东街村');
    expect(partners).not.toContain('城关小学');
    const handed = textNear(duty.html, 'id="handed-to"', 1500);
    expect(handed).toContain('转办下级(2/2 已报送)');
    expect(handed).toContain('东街村');
    expect(handed).toContain('城关小学');

    // The village answers to the township that passed it down, not to the lead as a co-unit.
    const villagePage = await (async () => {
      const v = web.browser();
      await v.signIn('unit:village');
      return v.get(`/duties/${village.id}`);
    })();
    expect(villagePage.html).toContain('本任务由城关镇转办');
    expect(villagePage.html).not.toContain('本单位为配合单位');
    expect(villagePage.html).not.toContain('>配合<');

    // The 督办单 names each unit's part in words.
    const sheet = await office.get(`/print/plans/${planId}/tasks/${taskId}`);
    const row = (id: string) =>
      sheet.html.slice(sheet.html.indexOf(`data-duty="${id}"`)).split('</tr>')[0] ?? '';
    expect(row(village.id)).toContain('城关镇转办');
    expect(row(village.id)).toContain('<td>转办</td>');
    expect(row(town.id)).toContain('<td>牵头</td>');
    expect(sheet.html).toContain('<td>配合</td>');
  });

  it('offers a returned duty’s 转办 only to the units not yet handed it, and refuses a repeat by name', async () => {
    await web.services.duties.submit(unit('town'), town.id, report('全镇已核查'), NOW);
    await web.services.duties.returnForRework(OFFICE, town.id, { reason: '请补充花名册' }, NOW);
    const page = web.browser();
    await page.signIn('unit:town');
    const action = `/duties/${town.id}/handoffs`;
    const form = await page.get(`/duties/${town.id}`);
    const offered = form.html.slice(form.html.indexOf(`action="${action}"`)).split('</form>')[0] ?? '';
    expect(offered).toContain('value="west"');
    expect(offered).toContain('西街村');
    expect(offered).not.toContain('value="village"');
    expect(offered).not.toContain('value="school"');

    // A form rendered before (or a hand-made post) naming a unit handed it already: refused by name.
    const again = await page.post(action, {
      _formKey: keyOf(form.html, action),
      unitIds: ['village'],
      note: '',
    });
    expect(again.status).toBe(409);
    expect(again.html).toContain('已转办给东街村,不能重复转办');
    expect(again.html).not.toContain('已转办给village');
    expect((await web.services.duties.get(OFFICE, town.id, NOW)).handedTo?.map((h) => h.unitId)).toEqual([
      'village',
      'school',
    ]);

    const fresh = await page.get(`/duties/${town.id}`);
    const west = await page.post(action, {
      _formKey: keyOf(fresh.html, action),
      unitIds: ['west'],
      note: '',
    });
    expect(west.status).toBe(303);
    // Every unit below has it now: no form, but 已全部转办.
    const after = await page.get(`/duties/${town.id}`);
    expect(after.html).not.toContain(`action="${action}"`);
    expect(after.html).toContain('已全部转办');
    expect(textNear(after.html, 'id="handed-to"', 1500)).toContain('转办下级(2/3 已报送)');
  });

  it('heads a returned duty with 退回整改 in red, then its light in words, on its page and in 我的任务', async () => {
    const page = web.browser();
    await page.signIn('unit:town');
    const h1 = ((await page.get(`/duties/${town.id}`)).html.split('<h1')[1] ?? '').split('</h1>')[0] ?? '';
    expect(h1).toMatch(/class="badge b-red"[^>]*>\s*退回整改/);
    expect(h1.indexOf('退回整改')).toBeLessThan(h1.indexOf('<svg'));
    expect(h1).toMatch(/data-light-words="">\s*(绿灯|蓝灯|黄灯|红灯) · /);
    const my = await page.get('/my');
    const card = my.html.slice(my.html.indexOf(`data-duty="${town.id}"`)).split('</article>')[0] ?? '';
    const h3 = (card.split('<h3')[1] ?? '').split('</h3>')[0] ?? '';
    expect(h3).toMatch(/class="badge b-red"[^>]*>\s*退回整改/);
    expect(h3.indexOf('退回整改')).toBeLessThan(h3.indexOf('<svg'));
    expect(h3).toContain('data-light-words');
    // Once: not again among the badges below the title.
    expect(card.match(/>\s*退回整改\s*</g)).toHaveLength(1);

    // Work that was not returned keeps its plain light.
    const other = web.browser();
    await other.signIn('unit:west');
    const westDuty = (await web.services.duties.get(OFFICE, town.id, NOW)).handedTo?.at(-1)?.dutyId ?? '';
    const plain =
      ((await other.get(`/duties/${westDuty}`)).html.split('<h1')[1] ?? '').split('</h1>')[0] ?? '';
    expect(plain).toContain('<svg');
    expect(plain).not.toContain('退回整改');
    expect(plain).not.toContain('data-light-words');
  });
});
