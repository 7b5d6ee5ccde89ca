import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { type Action, decide, recipientOf } from '../../shared/domain/access/policy.js';

const office: Principal = { sub: 'o', role: 'office' };
const leader: Principal = { sub: 'l', role: 'leader' };
const unit: Principal = { sub: 'u', role: 'unit', unitId: 'edu-bureau' };

const ACTIONS: Action[] = [
  'unit.create',
  'unit.read',
  'plan.create',
  'plan.read',
  'task.create',
  'task.read',
  'duty.read',
  'duty.submit',
  'duty.review',
  'notice.read',
  'sweep.run',
  'calendar.read',
  'calendar.write',
  'report.read',
  'report.create',
];

describe('access policy', () => {
  it('lets the office do everything', () => {
    for (const action of ACTIONS)
      expect(decide(office, action, { ownerUnitId: 'any-unit' }).allowed).toBe(true);
  });

  it('lets a leader read everything and write nothing', () => {
    const allowed = ACTIONS.filter((a) => decide(leader, a, { ownerUnitId: 'edu-bureau' }).allowed);
    expect(allowed).toEqual([
      'unit.read',
      'plan.read',
      'task.read',
      'duty.read',
      'notice.read',
      'calendar.read',
      'report.read',
    ]);
  });

  it('lets a unit read the directory, plans and tasks, and only its own duties', () => {
    expect(decide(unit, 'unit.read').allowed).toBe(true);
    expect(decide(unit, 'plan.read').allowed).toBe(true);
    expect(decide(unit, 'task.read').allowed).toBe(true);
    expect(decide(unit, 'duty.read', { ownerUnitId: 'edu-bureau' }).allowed).toBe(true);
    expect(decide(unit, 'duty.submit', { ownerUnitId: 'edu-bureau' }).allowed).toBe(true);
    expect(decide(unit, 'duty.read', { ownerUnitId: 'police' }).allowed).toBe(false);
    expect(decide(unit, 'duty.submit', { ownerUnitId: 'police' }).allowed).toBe(false);
    // No owner named means no way to show it is the unit's own.
    expect(decide(unit, 'duty.read').allowed).toBe(false);
  });

  it('refuses units every office action, with a Chinese reason', () => {
    for (const action of [
      'unit.create',
      'plan.create',
      'task.create',
      'sweep.run',
      'calendar.write',
    ] as const) {
      const d = decide(unit, action);
      expect(d).toEqual({ allowed: false, message: expect.stringMatching(/办公室/) });
    }
  });
});

describe('acknowledging notices', () => {
  const recipients = ['unit:edu-bureau', 'role:leaders'];

  it('is for addressees only, the office included', () => {
    expect(decide(unit, 'notice.ack', { recipients }).allowed).toBe(true);
    expect(decide(leader, 'notice.ack', { recipients }).allowed).toBe(true);
    expect(decide(office, 'notice.ack', { recipients }).allowed).toBe(false);
    expect(decide(office, 'notice.ack', { recipients: ['role:office'] }).allowed).toBe(true);
    expect(decide({ sub: 'p', role: 'unit', unitId: 'police' }, 'notice.ack', { recipients }).allowed).toBe(
      false,
    );
  });

  it('names the inbox of each role', () => {
    expect(recipientOf(unit)).toBe('unit:edu-bureau');
    expect(recipientOf(leader)).toBe('role:leaders');
    expect(recipientOf(office)).toBe('role:office');
  });
});

describe('units above the owner', () => {
  const township: Principal = { sub: 't', role: 'unit', unitId: 'town' };
  const context = { ownerUnitId: 'village', ownerAncestors: ['town', 'county'] };

  it('read their villages’ duties and notices but never submit or review them', () => {
    expect(decide(township, 'duty.read', context).allowed).toBe(true);
    expect(decide(township, 'notice.read', context).allowed).toBe(true);
    expect(decide(township, 'duty.submit', context).allowed).toBe(false);
    expect(decide(township, 'duty.review', context).allowed).toBe(false);
    expect(
      decide(township, 'duty.read', { ownerUnitId: 'village', ownerAncestors: ['other-town'] }).allowed,
    ).toBe(false);
  });
});

describe('控辍保学 cases', () => {
  const school: Principal = { sub: 's', role: 'unit', unitId: 'school-a' };
  const township: Principal = { sub: 't', role: 'unit', unitId: 'town' };
  const otherSchool: Principal = { sub: 'b', role: 'unit', unitId: 'school-b' };
  const ofSchoolA = { ownerUnitId: 'school-a', ownerAncestors: ['town', 'county'] };
  const allowed = (p: Principal, action: Action) => decide(p, action, ofSchoolA).allowed;

  it('lets the school record and act, its township read and arrange, the office everything', () => {
    expect(['case.create', 'case.read', 'case.act.school'].map((a) => allowed(school, a as Action))).toEqual([
      true,
      true,
      true,
    ]);
    expect(allowed(school, 'case.act.township')).toBe(false);
    expect(allowed(school, 'case.act.bureau')).toBe(false);
    expect(allowed(township, 'case.read')).toBe(true);
    expect(allowed(township, 'case.act.township')).toBe(true);
    expect(allowed(township, 'case.create')).toBe(false);
    expect(allowed(township, 'case.act.school')).toBe(false);
    for (const a of ['case.create', 'case.read', 'case.act.school', 'case.act.township', 'case.act.bureau']) {
      expect(allowed(office, a as Action)).toBe(true);
    }
  });

  it('lets a leader read a case and do nothing else; another school nothing at all', () => {
    expect(allowed(leader, 'case.read')).toBe(true);
    expect(allowed(leader, 'case.create')).toBe(false);
    expect(allowed(leader, 'case.act.school')).toBe(false);
    for (const a of ['case.create', 'case.read', 'case.act.school', 'case.act.township', 'case.act.bureau']) {
      expect(allowed(otherSchool, a as Action)).toBe(false);
    }
  });
});

describe('领导批示 and 转办', () => {
  const town: Principal = { sub: 't', role: 'unit', unitId: 'town' };
  const village: Principal = { sub: 'v', role: 'unit', unitId: 'village' };
  const townDuty = { ownerUnitId: 'town', ownerAncestors: ['county'] };

  it('lets leaders and the office write a 批示, no unit, not even the owner or one above it', () => {
    expect(decide(leader, 'instruction.write').allowed).toBe(true);
    expect(decide(office, 'instruction.write').allowed).toBe(true);
    expect(decide(town, 'instruction.write', townDuty).allowed).toBe(false);
    expect(
      decide(unit, 'instruction.write', { ownerUnitId: 'town', ownerAncestors: ['edu-bureau'] }),
    ).toEqual({
      allowed: false,
      message: '只有领导或领导小组办公室可以批示',
    });
  });

  it('lets only the holding unit pass its duty down: not the office, a leader, nor a unit above or below', () => {
    expect(decide(town, 'duty.handoff', townDuty).allowed).toBe(true);
    for (const p of [office, leader, village, { ...unit, unitId: 'county' }]) {
      expect(decide(p, 'duty.handoff', townDuty).allowed).toBe(false);
    }
  });
});

describe('下级任务 (below.read)', () => {
  const town = { ownerUnitId: 'town', ownerAncestors: ['county'] };

  it('lets the unit itself, a unit above it, the office and leaders read; no other unit', () => {
    for (const p of [office, leader, { ...unit, unitId: 'town' }, { ...unit, unitId: 'county' }]) {
      expect(decide(p, 'below.read', town).allowed).toBe(true);
    }
    for (const unitId of ['other-town', 'village']) {
      expect(decide({ ...unit, unitId }, 'below.read', town)).toEqual({
        allowed: false,
        message: '只能查看本单位(及所辖单位)的下级任务',
      });
    }
  });
});
