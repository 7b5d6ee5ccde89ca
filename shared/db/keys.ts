/**
 * Key builders for the single table. Every access pattern the product uses is listed here; a new
 * query starts by adding its row.
 *
 * | #  | access pattern                                   | operation / index                                              |
 * |----|--------------------------------------------------|----------------------------------------------------------------|
 * | U1 | a unit by id                                     | GetItem  pk=UNIT#<unitId>            sk=UNIT                   |
 * | U2 | the unit directory, by id                        | Query byParent gsi2pk=UNITS          gsi2sk=<unitId>           |
 * | P1 | a plan by id                                     | GetItem  pk=PLAN#<planId>            sk=PLAN                   |
 * | P2 | all plans, newest first                          | Query byParent gsi2pk=PLANS          gsi2sk=<createdAt>#<id>   |
 * | T1 | a plan's tasks, in creation order                | Query    pk=PLAN#<planId>            sk begins_with TASK#      |
 * | D1 | a duty by id                                     | GetItem  pk=DUTY#<dutyId>            sk=DUTY                   |
 * | D2 | a unit's duties across plans (optionally one     | Query byUnit gsi1pk=UNIT#<unitId>                              |
 * |    | plan, optionally one status)                     |   gsi1sk begins_with PLAN#<planId>#STATUS#<status>#            |
 * |    |   across plans, statuses are a filter: a unit's  |   (across plans: gsi1sk begins_with PLAN#)                     |
 * |    |   inbox                                          |                                                                |
 * | D3 | a plan's duties (optionally one status)          | Query byParent gsi2pk=PLAN#<planId>#DUTIES                     |
 * |    |                                                  |   gsi2sk begins_with STATUS#<status>#                          |
 * | D4 | open duties by due time (sweeps, overdue lists)  | Query openByDue gsi3pk=OPEN#<planId> gsi3sk <= <dueAt>         |
 * |    |   sparse: only duties with status open carry OPEN# gsi3*; submitting removes them (a chain     |
 * |    |   duty then carries D6's keys in the same attributes instead)                                |
 * | D5 | duties whose next escalation level is due        | Query sweepByNextAction gsi4pk=SWEEP#<planId>                  |
 * |    |   (the sweep)                                    |   gsi4sk <= <now>~  sparse: open and a level still to come     |
 * |    |   or whose 签收 deadline passed unsigned: gsi4sk is the earlier of the two (sweepWakeAt)        |
 * | D7 | a task's duties, every unit and occurrence      | Query byTask taskId=<taskId>  (sort key: role, lead/co)        |
 * |    |   on attributes duties always had: no rewrite of old items when the index is added          |
 * | N1 | a notice by id, with its recipients' entries     | Query    pk=NOTICE#<noticeId>  (sk NOTICE, TO#<recipient>)     |
 * | N2 | a recipient's notices, newest first              | Query byUnit gsi1pk=INBOX#<recipient> gsi1sk=<createdAt>#<id> |
 * |    |   recipients: unit:<unitId>, role:leaders, role:office; a duty's unit is always one, and   |
 * |    |   the notice item itself is that unit's entry; each other recipient has a TO# item       |
 * | N3 | all notices, or one plan's, newest first         | Query byParent gsi2pk=NOTICES gsi2sk begins_with <planId>#     |
 * | S1 | a plan's sweep claims whose lease has run out    | Query sweepByNextAction gsi4pk=CLAIMS#<planId>                 |
 * |    |   (the notices a stopped sweep may have left     |   gsi4sk <= <now>#~  (gsi4sk=<leaseUntil>#<claimId>)           |
 * |    |   half-written); sparse: a released claim has no gsi4*; item pk=CLAIM#<claimId> sk=CLAIM     |
 * | C1 | the office's calendar overrides, by year         | Query    pk=CALENDAR               sk=<year>                   |
 * | E1 | a duty's extension requests (延期申请)            | Query    pk=DUTY#<dutyId>          sk begins_with EXT#         |
 * | E2 | a plan's pending extension requests, oldest first | Query byParent gsi2pk=PLAN#<planId>#EXTENSIONS                 |
 * |    |   sparse: only a pending request carries gsi2*;  |   gsi2sk=<requestedAt>#<requestId>                             |
 * |    |   its decision rewrites the item without them    |                                                                |
 * | E3 | a plan's extension requests, every one, by     | Query byUnit gsi1pk=EXTENSIONS#<planId>                        |
 * |    |   request time (the report counts them per unit) |   gsi1sk <= <asOf>#~  (gsi1sk=<requestedAt>#<requestId>)       |
 * |    |   written with the request, kept by its decision |                                                                |
 * | F1 | a plan's supervision findings (督查发现问题)      | Query    pk=PLAN#<planId>          sk begins_with FINDING#     |
 * | R1 | a frozen report: its head and content parts      | Query    pk=REPORT#<reportId>  (sk HEAD, PART#<nnnn>)          |
 * | R2 | a plan's reports, newest cut-off first           | Query byParent gsi2pk=PLAN#<planId>#REPORTS gsi2sk=<asOf>#<id> |
 * | L1 | a caller's request count in one rate window      | UpdateItem pk=RATE#<role>:<sub>   sk=<windowStart> (TTL)      |
 * | I1 | the first answer to a caller's Idempotency-Key   | PutItem (conditional) / UpdateItem / DeleteItem                |
 * |    |   on one route (24 h, TTL)                       |   pk=IDEMPOTENCY#<sha256 of route, caller, key> sk=IDEMPOTENCY |
 * | D6 | a unit's sign-off queue (下级确认): submissions  | Query openByDue gsi3pk=SIGNOFF#<unitId> (waiting for it)       |
 * |    |   waiting for its confirmation, and those it     |   or SIGNOFF#<top confirmer>#@office (waiting for the office)  |
 * |    |   confirmed that wait further up (a few Queries, |   gsi3sk=<confirmers top-down, each + '#'>@<submittedAt>#<id>  |
 * |    |   one per level above, whatever the tree's size) |   what a unit passed on: begins_with <path down to it>#        |
 * |    |   sparse: only submitted duties of a sign-off chain carry them; each confirm moves them,       |
 * |    |   accept or return removes them, in the same conditional write (signOffKeys)                   |
 * | K1 | a dropout case (控辍保学) by id, with its steps     | GetItem pk=CASE#<caseId> sk=CASE; Query sk begins_with STEP#    |
 * |    |   (a step's sk: STEP#<the case version it made>)  |                                                                |
 * | K2 | a school's cases, open by first day absent, then | Query byUnit gsi1pk=CASES#SCHOOL#<schoolUnitId>                 |
 * |    |   returned; a stage is a range of that day       |   gsi1sk=OPEN#<firstDayAbsent>#<id> | CLOSED#<returnedOn>#<id> |
 * |    |   (stageBounds, computed on the day read)        |                                                                |
 * | K3 | a township's cases, the same order               | Query byParent gsi2pk=CASES#TOWNSHIP#<townshipUnitId> (gsi2sk as K2) |
 * | K4 | the county's cases, the same order               | Query openByDue gsi3pk=CASES  (gsi3sk as K2)                   |
 * | M1 | a plan's committed import of one file (导入)      | GetItem / PutItem (conditional) pk=PLAN#<planId>               |
 * |    |   written once, with its audit event             |   sk=IMPORT#<sha256 of the file>                               |
 * | X1 | a plan's indicators (指标), by key               | Query    pk=PLAN#<planId>          sk begins_with INDICATOR#   |
 * | X2 | a plan's figures for one period, every unit,     | Query    pk=FIGURES#<planId>#<period>                          |
 * |    |   indicator and source (the indicator table);    |   sk=<key>#<unitId>#<source>                                   |
 * |    |   one unit's sources for one indicator (三一致)    |   sk begins_with <key>#<unitId>#                               |
 * |    |   one indicator's figures, every unit (趋势)       |   sk begins_with <key>#                                        |
 * | X3 | a period's replaced figures (each correction's    | Query    pk=FIGHIST#<planId>#<period>                          |
 * |    |   before), for the table as of a past cut-off    |   sk=<key>#<unitId>#<source>#<version, 6 digits>               |
 * | H1 | a notice channel by id (credentials are not here: | GetItem  pk=CHANNEL#<channelId>      sk=CHANNEL                |
 * |    |   they live in the secret store)                 |                                                                |
 * | H2 | every channel, or one inbox's, by owner          | Query byParent gsi2pk=CHANNELS gsi2sk begins_with <owner>#     |
 * | H4 | a delivery run's hold on one channel (so one     | UpdateItem/DeleteItem pk=CHANNEL#<channelId> sk=LEASE (TTL)    |
 * |    |   run gathers what is due for the group)         |                                                                |
 * | H3 | the delivery settings (quiet hours, urgent)      | GetItem  pk=SETTINGS                 sk=DELIVERY               |
 * | O1 | notices still to be pushed (the outbox), oldest  | Query sweepByNextAction gsi4pk=OUTBOX                          |
 * |    |   first; sparse: a notice carries gsi4* from its |   gsi4sk <= <now>#~  (gsi4sk=<createdAt>#<noticeId>)           |
 * |    |   write until each of its channels is 已推送/失败 |                                                                |
 * | N4 | a notice's deliveries, one per channel           | Query    pk=NOTICE#<noticeId>  sk begins_with DELIVERY#         |
 * | L2 | a channel's posts in one minute (robot limit)    | UpdateItem pk=RATE#channel:<channelId> sk=<minuteStart> (TTL)  |
 * | FK1| the wrapped data key of children's identifying | GetItem / PutItem (conditional, once) pk=FIELDKEY sk=CURRENT  |
 * |    |   fields (KMS ciphertext; read at cold start)    |   (shared/privacy/kms-field-keys.ts)                           |
 * | K5 | open cases whose next escalation is due (the     | Query sweepByNextAction gsi4pk=CASESWEEP                       |
 * |    |   sweep's case walk): sparse, gsi4sk=<next      |   gsi4sk <= <today>#~                                          |
 * |    |   escalation day>#<caseId>, set or moved in the  |                                                                |
 * |    |   same conditional write as the case; a return   |                                                                |
 * |    |   removes it                                     |                                                                |
 * | G1 | a unit's morning digest of one day (早间提醒):    | UpdateItem (conditional, once) / BatchGetItem                  |
 * |    |   written once, before it is posted; its         |   pk=NOTICE#DIGEST~<unitId>~<date> sk=DIGEST                   |
 * |    |   deliveries are N4's items under the same pk    |   (upper-case DIGEST: never a notice id, which are slugs)      |
 * | SM1| a semester (学期) by id                          | GetItem  pk=SEMESTER#<semesterId>     sk=SEMESTER            |
 * | SM2| every semester, by start date                   | Query byParent gsi2pk=SEMESTERS gsi2sk=<startDate>#<id>       |
 * | RS1| a school's rosters (三类花名册) of one semester,  | Query    pk=ROSTER#<semesterId>#<schoolUnitId>                 |
 * |    |   every child (the verified-elsewhere too), and  |   sk begins_with ENTRY# (sk=ENTRY#<kind>#<entryId>);         |
 * |    |   its committed imports, once per file           |   GetItem/PutItem (conditional) sk=IMPORT#<sha256>           |
 * | RS2| one school's part of the ledger (疑似失学辍学台账) | Query byUnit gsi1pk=LEDGER#<semesterId>#SCHOOL#<schoolUnitId>  |
 * |    |   sparse: a child verified studying elsewhere    |   gsi1sk=<kind>#<entryId>                                    |
 * |    |   carries no ledger keys (RS2–RS4)               |                                                              |
 * | RS3| one township's schools' part of the ledger       | Query byParent gsi2pk=LEDGER#<semesterId>#TOWNSHIP#<townshipId> |
 * |    |   by school                                      |   gsi2sk=<schoolUnitId>#<kind>#<entryId>                     |
 * | RS4| the county ledger, by township and school        | Query openByDue gsi3pk=LEDGER#<semesterId>                     |
 * |    |   (a school under no township sorts under '~')   |   gsi3sk=<townshipId>#<schoolUnitId>#<kind>#<entryId>        |
 * | B1 | a task's 领导批示 (instructions): those on the    | Query    pk=INSTRUCTIONS#<taskId>  sk=INSTR#<instructionId>    |
 * |    |   whole task and on each of its duties; a duty's | (a duty's: FilterExpression dutyId = <dutyId> OR null); the   |
 * |    |   page reads the task's and its own              |   notices they write are N1–N3's, level `instruction`          |
 * | D8 | 转办: the duties a unit passed down (a parent    | GetItem D1 of each id in the parent's `handedTo` (BatchGet);   |
 * |    |   duty's children), each a duty of the same task | child ids fixed by (task, unit, parent duty): occurrenceDutyId |
 * | K6 | the office's 控辍保学 settings (step deadlines,   | GetItem / PutItem (conditional on version) pk=SETTINGS sk=CASES |
 * |    |   retention period)                              |                                                                |
 * | K7 | returned cases whose identifying fields are      | Query sweepByNextAction gsi4pk=CASEERASE                       |
 * |    |   still kept, by return date (retention): sparse,|   gsi4sk <= <last return date due>#~                           |
 * |    |   gsi4sk=<returnedOn>#<caseId>; erasing removes it (an open case carries K5 there instead)  |
 * | CF1| a left-behind child's care file (留守儿童一人一案) | GetItem pk=CAREFILE#<careFileId> sk=CAREFILE;                  |
 * |    |   by id, with its support records in the order   |   Query sk begins_with RECORD# (sk=RECORD#<recordedAt>#<id>)   |
 * |    |   recorded                                       |                                                                |
 * | CF2| a school's care files, oldest first              | Query byUnit gsi1pk=CAREFILES#SCHOOL#<schoolUnitId>            |
 * |    |                                                  |   gsi1sk=<createdAt>#<careFileId>                              |
 * | CF3| a township's care files, by school               | Query byParent gsi2pk=CAREFILES#TOWNSHIP#<townshipUnitId>      |
 * |    |                                                  |   gsi2sk=<schoolUnitId>#<createdAt>#<careFileId>               |
 * | CF4| the county's care files, by township and school  | Query openByDue gsi3pk=CAREFILES                               |
 * |    |                                                  |   gsi3sk=<townshipUnitId>#<schoolUnitId>#<createdAt>#<id>      |
 * | CP1| a child's 师生结对 pairs, one per plan (written   | Query pk=PAIRS#<care-file|case>:<childId> sk begins_with PAIR# |
 * |    |   once, conditional; its two duties' tasks have  |   (sk=PAIR#<planId>)                                           |
 * |    |   ids fixed by plan and child)                   |                                                                |
 * | K8 | the county ledger's frozen snapshots (台账快照), | Query byParent gsi2pk=CASELEDGER#REPORTS gsi2sk=<asOf>#<id>  |
 * |    |   newest cut-off first; each one is R1's items  |   (head and parts: pk=REPORT#ledger-<asOf>, written once)     |
 * | U3 | the units directly below a unit (下级单位: a     | Query byUnit gsi1pk=BELOW#<parentId>  gsi1sk=<unitId>          |
 * |    |   township's villages and schools), by id;       |   (whether it has any: the unit's own `hasUnitsBelow`, set in  |
 * |    |   written with the unit (a unit never moves)     |   the same transaction as each unit below it)                  |
 * |    |   units stored before U3 get keys and flags from the sweep's one-off `keyBelow` (marker     |
 * |    |   pk=UNITS sk=BELOW-KEYED)                                                                   |
 * | K9 | a school's remembered 包保 people (the leader;    | GetItem pk=CASECHAIN#<schoolUnitId> sk=CHAIN                   |
 * |    |   a teacher per class: attribute class:<grade>/  |   (updated, last writer wins, in each case's create           |
 * |    |   <className>), for the next absence form        |   transaction)                                                 |
 * | K10| the open case of a roster child (花名册行), one  | GetItem pk=CASEROSTER#<semesterId>#<entryId> sk=OPEN           |
 * |    |   at most: put with the case (attribute_not_     |   (holds caseId; deleted in the return's transaction)          |
 * |    |   exists), so a second absence is refused (409)  |                                                                |
 * |    |   a pick list's rows: BatchGetItem of K10 keys   |   (one per 100 rows, ./batch-get.ts)                           |
 *
 * Many items by id (U1, P1, D1 for a page's units, plans, duties) are one BatchGetItem per 100 keys
 * (./batch-get.ts), never a loop of GetItems.
 *
 * Sort keys embed ISO-8601 UTC instants ("2026-05-13T15:59:59.999Z"), which sort as strings.
 * Ids never contain '#', so prefixes cannot collide.
 */
import type { DutyStatus } from '../domain/duty/duty-status.js';
import { type Receipt, sweepWakeAt } from '../domain/duty/receipt.js';

export const unitKey = (unitId: string) => ({ pk: `UNIT#${unitId}`, sk: 'UNIT' });
export const UNIT_DIRECTORY_PK = 'UNITS';
export const unitDirectoryKeys = (unitId: string) => ({ gsi2pk: UNIT_DIRECTORY_PK, gsi2sk: unitId });
/** U3: the unit filed under its parent, so a unit's units below are one Query (none for a root). */
export const unitsBelowPk = (parentId: string) => `BELOW#${parentId}`;
export const unitBelowKeys = (parentId: string | null, unitId: string) =>
  parentId === null ? {} : { gsi1pk: unitsBelowPk(parentId), gsi1sk: unitId };
/** The marker saying every unit carries its U3 keys (units stored before U3 were re-keyed once). */
export const unitsBelowKeyedKey = { pk: 'UNITS', sk: 'BELOW-KEYED' } as const;

export const planKey = (planId: string) => ({ pk: `PLAN#${planId}`, sk: 'PLAN' });
export const PLAN_DIRECTORY_PK = 'PLANS';
export const planDirectoryKeys = (planId: string, createdAt: string) => ({
  gsi2pk: PLAN_DIRECTORY_PK,
  gsi2sk: `${createdAt}#${planId}`,
});

export const TASK_SK_PREFIX = 'TASK#';
export const taskKey = (planId: string, taskId: string) => ({
  pk: `PLAN#${planId}`,
  sk: `${TASK_SK_PREFIX}${taskId}`,
});

export const importKey = (planId: string, sha256: string) => ({
  pk: `PLAN#${planId}`,
  sk: `IMPORT#${sha256}`,
});

export const dutyKey = (dutyId: string) => ({ pk: `DUTY#${dutyId}`, sk: 'DUTY' });

export interface DutyIndexInput extends SignOffInput {
  planId: string;
  unitId: string;
  dueAt: string;
  /** When the next escalation level fires; null once none is left. */
  nextActionAt: string | null;
  /** 签收: an unsigned receipt whose notice is not written yet wakes the sweep at its deadline. */
  receipt?: Receipt | null | undefined;
  receiptNoticedAt?: string | null | undefined;
}

/** What places a duty in a sign-off queue (D6). Absent fields are those of a duty stored before chains. */
export interface SignOffInput {
  id: string;
  status: DutyStatus;
  awaitingConfirmationFrom?: string | null | undefined;
  /** The confirmations of this round, bottom-up (the owner's parent first). */
  confirmations?: readonly { unitId: string }[] | undefined;
  submission?: { submittedAt: string } | null | undefined;
}

export const unitDutiesPk = (unitId: string) => `UNIT#${unitId}`;
export const unitDutiesSkPrefix = (planId?: string, status?: DutyStatus) =>
  planId === undefined
    ? 'PLAN#'
    : status === undefined
      ? `PLAN#${planId}#`
      : `PLAN#${planId}#STATUS#${status}#`;

export const planDutiesPk = (planId: string) => `PLAN#${planId}#DUTIES`;
export const planDutiesSkPrefix = (status?: DutyStatus) =>
  status === undefined ? 'STATUS#' : `STATUS#${status}#`;

export const openDutiesPk = (planId: string) => `OPEN#${planId}`;
export const sweepPk = (planId: string) => `SWEEP#${planId}`;
/** Sorts after every `<instant>#<id>` of that instant, so `gsi4sk <= sweepUpTo(now)` takes all due. */
export const sweepUpTo = (now: string) => `${now}#~`;

export const NOTICE_SK = 'NOTICE';
export const noticeKey = (noticeId: string) => ({ pk: `NOTICE#${noticeId}`, sk: NOTICE_SK });
export const noticeRecipientKey = (noticeId: string, recipient: string) => ({
  pk: `NOTICE#${noticeId}`,
  sk: `TO#${recipient}`,
});
export const inboxPk = (recipient: string) => `INBOX#${recipient}`;
export const inboxKeys = (recipient: string, createdAt: string, noticeId: string) => ({
  gsi1pk: inboxPk(recipient),
  gsi1sk: `${createdAt}#${noticeId}`,
});
export const ALL_NOTICES_PK = 'NOTICES';
export const noticeDirectoryKeys = (planId: string, createdAt: string, noticeId: string) => ({
  gsi2pk: ALL_NOTICES_PK,
  gsi2sk: `${planId}#${createdAt}#${noticeId}`,
});

export const sweepClaimKey = (claimId: string) => ({ pk: `CLAIM#${claimId}`, sk: 'CLAIM' });
/** S1's keys: on a claim while it is held; its release removes them. */
export const sweepClaimIndexKeys = (planId: string, leaseUntil: string, claimId: string) => ({
  gsi4pk: `CLAIMS#${planId}`,
  gsi4sk: `${leaseUntil}#${claimId}`,
});

export const CALENDAR_PK = 'CALENDAR';
export const calendarKey = (year: number) => ({ pk: CALENDAR_PK, sk: String(year) });

/**
 * The index attributes of a duty for its status, due time and next escalation. Written on every
 * change of those, so the indexes never disagree with the item. `gsi3*` is present only while the
 * duty is open (D4) or submitted in a sign-off chain (D6), `gsi4*` only while it is open and a
 * level is still to come.
 */
export function dutyIndexKeys(d: DutyIndexInput) {
  const byUnit = {
    gsi1pk: unitDutiesPk(d.unitId),
    gsi1sk: `PLAN#${d.planId}#STATUS#${d.status}#${d.dueAt}#${d.id}`,
  };
  const byPlan = { gsi2pk: planDutiesPk(d.planId), gsi2sk: `STATUS#${d.status}#${d.dueAt}#${d.id}` };
  if (d.status !== 'open') return { ...byUnit, ...byPlan, ...signOffKeys(d) };
  const open = { gsi3pk: openDutiesPk(d.planId), gsi3sk: `${d.dueAt}#${d.id}` };
  const wake = sweepWakeAt(d);
  if (wake === null) return { ...byUnit, ...byPlan, ...open };
  return { ...byUnit, ...byPlan, ...open, ...sweepKeys(d.planId, wake, d.id) };
}

/** D5's keys of a duty the sweep must look at by `wakeAt`. */
export function sweepKeys(planId: string, wakeAt: string, dutyId: string) {
  return { gsi4pk: sweepPk(planId), gsi4sk: `${wakeAt}#${dutyId}` };
}

/** D6: the partition of what waits for `unitId`'s confirmation. */
export const signOffPk = (unitId: string) => `SIGNOFF#${unitId}`;
/** D6: the partition of what waits for the office, confirmed last (at the top) by `topConfirmer`. */
export const signOffOfficePk = (topConfirmer: string) => `SIGNOFF#${topConfirmer}#@office`;
/**
 * D6: the start of the sort key of every duty whose confirmers, top-down, begin with `path` (ids
 * never contain '#' nor '@', so `town#` cannot match `town-2#`, and the confirmers end at '@').
 */
export const signOffSkPrefix = (pathTopDown: readonly string[]) => pathTopDown.map((u) => `${u}#`).join('');

/**
 * D6's keys of a duty: present only while it is submitted and in a sign-off chain, in the
 * partition of whoever confirms next (the office's partitions spread by the chain's top confirmer,
 * so no single partition takes every chain of the county). The sort key starts with the confirmers
 * top-down: a unit finds what it passed on by the path from the partition's owner down to itself.
 */
export function signOffKeys(d: SignOffInput): { gsi3pk: string; gsi3sk: string } | null {
  const confirmers = (d.confirmations ?? []).map((c) => c.unitId);
  const awaiting = d.awaitingConfirmationFrom ?? null;
  const top = confirmers.at(-1);
  if (d.status !== 'submitted' || (awaiting === null && top === undefined)) return null;
  const pk = awaiting !== null ? signOffPk(awaiting) : signOffOfficePk(top as string);
  const topDown = [...confirmers].reverse();
  return { gsi3pk: pk, gsi3sk: `${signOffSkPrefix(topDown)}@${d.submission?.submittedAt ?? ''}#${d.id}` };
}

/**
 * The D6 Queries that make up `unitId`'s sign-off queue, given its ancestors nearest first (as many
 * as a chain can climb above it: MAX_SIGN_OFF_LEVELS - 1). `waiting` takes the whole partition;
 * each `passedOn` a prefix of one partition above. At most 1 + 2 × ancestors.length + 1 Queries.
 */
export function signOffQueries(
  unitId: string,
  ancestors: readonly string[],
): { waiting: { pk: string }; passedOn: { pk: string; prefix: string }[] } {
  // The path from each ancestor (and from the unit itself) down to the unit, top-down.
  const pathFrom = (i: number) => [...ancestors.slice(0, i)].reverse().concat(unitId);
  const passedOn: { pk: string; prefix: string }[] = [];
  // Waiting for ancestor i: confirmed by everyone from the unit up to ancestor i's child.
  for (let i = 0; i < ancestors.length; i++) {
    passedOn.push({ pk: signOffPk(ancestors[i] as string), prefix: signOffSkPrefix(pathFrom(i)) });
  }
  // Waiting for the office: the chain's top confirmer is the unit or one of its ancestors.
  for (let i = 0; i <= ancestors.length; i++) {
    const top = i === 0 ? unitId : (ancestors[i - 1] as string);
    passedOn.push({ pk: signOffOfficePk(top), prefix: signOffSkPrefix(pathFrom(i)) });
  }
  return { waiting: { pk: signOffPk(unitId) }, passedOn };
}

export const REPORT_HEAD_SK = 'HEAD';
export const reportHeadKey = (reportId: string) => ({ pk: `REPORT#${reportId}`, sk: REPORT_HEAD_SK });
export const reportPartKey = (reportId: string, part: number) => ({
  pk: `REPORT#${reportId}`,
  sk: `PART#${String(part).padStart(4, '0')}`,
});
export const planReportsPk = (planId: string) => `PLAN#${planId}#REPORTS`;
export const planReportsKeys = (planId: string, asOf: string, reportId: string) => ({
  gsi2pk: planReportsPk(planId),
  gsi2sk: `${asOf}#${reportId}`,
});

export const extensionKey = (dutyId: string, requestId: string) => ({
  pk: `DUTY#${dutyId}`,
  sk: `EXT#${requestId}`,
});
export const EXTENSION_SK_PREFIX = 'EXT#';
export const pendingExtensionsPk = (planId: string) => `PLAN#${planId}#EXTENSIONS`;
/** Pattern E2's keys, carried only while a request waits for a decision. */
export const pendingExtensionKeys = (planId: string, requestedAt: string, requestId: string) => ({
  gsi2pk: pendingExtensionsPk(planId),
  gsi2sk: `${requestedAt}#${requestId}`,
});

/** Pattern E3's keys: on every request from its filing on; the decision rewrites the item with them. */
export const planExtensionsPk = (planId: string) => `EXTENSIONS#${planId}`;
export const planExtensionKeys = (planId: string, requestedAt: string, requestId: string) => ({
  gsi1pk: planExtensionsPk(planId),
  gsi1sk: `${requestedAt}#${requestId}`,
});

export const findingKey = (planId: string, findingId: string) => ({
  pk: `PLAN#${planId}`,
  sk: `FINDING#${findingId}`,
});
export const FINDING_SK_PREFIX = 'FINDING#';

/** L1: one counter per caller per rate-limit window; the table's TTL removes old windows. */
export const rateCounterKey = (subject: string, windowStart: string) => ({
  pk: `RATE#${subject}`,
  sk: windowStart,
});

export const IDEMPOTENCY_SK = 'IDEMPOTENCY';
/**
 * I1: one record per (route, caller, client key). The key is the client's own string, so it is
 * hashed: whatever it holds ('#' included) cannot collide with another entity's prefix.
 */
export const idempotencyKey = (scopeHash: string) => ({ pk: `IDEMPOTENCY#${scopeHash}`, sk: IDEMPOTENCY_SK });

/** K1: a dropout case and its steps (persuasion records) in one partition. */
export const caseKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' });
export const CASE_STEP_SK_PREFIX = 'STEP#';
/** A step is filed under the case version it created: unique, and in the order recorded. */
export const caseStepKey = (caseId: string, caseVersion: number) => ({
  pk: `CASE#${caseId}`,
  sk: `${CASE_STEP_SK_PREFIX}${String(caseVersion).padStart(6, '0')}`,
});
export const schoolCasesPk = (schoolUnitId: string) => `CASES#SCHOOL#${schoolUnitId}`;
export const townshipCasesPk = (townshipUnitId: string) => `CASES#TOWNSHIP#${townshipUnitId}`;
export const COUNTY_CASES_PK = 'CASES';
export const OPEN_CASE_PREFIX = 'OPEN#';
export const CLOSED_CASE_PREFIX = 'CLOSED#';

/**
 * K2–K4's sort key: open cases by first day absent (the earliest absence is furthest up the
 * ladder), returned ones after them by the day back. The stage itself is never stored.
 */
export const caseOrderKey = (c: { id: string; firstDayAbsent: string; returnedOn: string | null }) =>
  c.returnedOn === null
    ? `${OPEN_CASE_PREFIX}${c.firstDayAbsent}#${c.id}`
    : `${CLOSED_CASE_PREFIX}${c.returnedOn}#${c.id}`;

/** K2–K4's keys, rewritten with the case on every change. */
export function caseIndexKeys(c: {
  id: string;
  schoolUnitId: string;
  townshipUnitId: string;
  firstDayAbsent: string;
  returnedOn: string | null;
  /** K5: the day the sweep must read the case next; null or absent: never (returned, or nothing to come). */
  nextEscalationOn?: string | null | undefined;
  /** K7: a returned case carries its erase key until its identifying fields are erased. */
  erasedOn?: string | null | undefined;
}) {
  const order = caseOrderKey(c);
  const wake = c.returnedOn === null ? (c.nextEscalationOn ?? null) : null;
  const erase = c.returnedOn !== null && (c.erasedOn ?? null) === null ? c.returnedOn : null;
  return {
    gsi1pk: schoolCasesPk(c.schoolUnitId),
    gsi1sk: order,
    gsi2pk: townshipCasesPk(c.townshipUnitId),
    gsi2sk: order,
    gsi3pk: COUNTY_CASES_PK,
    gsi3sk: order,
    ...(wake === null ? {} : caseSweepKeys(wake, c.id)),
    ...(erase === null ? {} : caseEraseKeys(erase, c.id)),
  };
}

/** K5: the partition of cases the sweep reads on their next escalation day. */
export const CASE_SWEEP_PK = 'CASESWEEP';
/** K5's keys of a case the sweep must read on `day` (a local date, YYYY-MM-DD). */
export const caseSweepKeys = (day: string, caseId: string) => ({
  gsi4pk: CASE_SWEEP_PK,
  gsi4sk: `${day}#${caseId}`,
});
export const INDICATOR_SK_PREFIX = 'INDICATOR#';
export const indicatorKey = (planId: string, key: string) => ({
  pk: `PLAN#${planId}`,
  sk: `${INDICATOR_SK_PREFIX}${key}`,
});

/** X2: a period's figures share a partition, so the indicator table is one Query. */
export const figuresPk = (planId: string, period: string) => `FIGURES#${planId}#${period}`;
export const unitFiguresSkPrefix = (key: string, unitId: string) => `${key}#${unitId}#`;
/** X3: the versions corrections replaced, one partition per period, read only for a past cut-off. */
export const figureHistoryPk = (planId: string, period: string) => `FIGHIST#${planId}#${period}`;
export const figureHistoryKey = (f: {
  planId: string;
  period: string;
  key: string;
  unitId: string;
  source: string;
  version: number;
}) => ({
  pk: figureHistoryPk(f.planId, f.period),
  sk: `${unitFiguresSkPrefix(f.key, f.unitId)}${f.source}#${String(f.version).padStart(6, '0')}`,
});
export const figureKey = (f: {
  planId: string;
  period: string;
  key: string;
  unitId: string;
  source: string;
}) => ({
  pk: figuresPk(f.planId, f.period),
  sk: `${unitFiguresSkPrefix(f.key, f.unitId)}${f.source}`,
});
export const CHANNEL_SK = 'CHANNEL';
export const channelKey = (channelId: string) => ({ pk: `CHANNEL#${channelId}`, sk: CHANNEL_SK });
export const ALL_CHANNELS_PK = 'CHANNELS';
/** H2: owners (unit:<id>, role:leaders, role:office) hold no '#', so `<owner>#` is a clean prefix. */
export const channelDirectoryKeys = (owner: string, channelId: string) => ({
  gsi2pk: ALL_CHANNELS_PK,
  gsi2sk: `${owner}#${channelId}`,
});
export const deliverySettingsKey = () => ({ pk: 'SETTINGS', sk: 'DELIVERY' });

/** O1: written with every notice (shared/db/notice-level-writer.ts), removed once it is delivered. */
export const OUTBOX_PK = 'OUTBOX';
export const outboxKeys = (createdAt: string, noticeId: string) => ({
  gsi4pk: OUTBOX_PK,
  gsi4sk: `${createdAt}#${noticeId}`,
});
export const DELIVERY_SK_PREFIX = 'DELIVERY#';
export const deliveryKey = (noticeId: string, channelId: string) => ({
  pk: `NOTICE#${noticeId}`,
  sk: `${DELIVERY_SK_PREFIX}${channelId}`,
});
/** G1: the id of a unit's digest of one local date; its deliveries are keyed by it as a notice's. */
export const digestId = (unitId: string, date: string) => `DIGEST~${unitId}~${date}`;
export const digestKey = (unitId: string, date: string) => ({
  pk: `NOTICE#${digestId(unitId, date)}`,
  sk: 'DIGEST',
});
/** H4: one delivery run at a time per channel, so what is due for a group goes out together. */
export const channelLeaseKey = (channelId: string) => ({ pk: `CHANNEL#${channelId}`, sk: 'LEASE' });

/** FK1: the one wrapped data key of children's identifying fields (shared/privacy/kms-field-keys.ts). */
export const FIELD_KEY_KEY = { pk: 'FIELDKEY', sk: 'CURRENT' } as const;

/** SM1/SM2: a semester, and its place in the directory of semesters. */
export const semesterKey = (semesterId: string) => ({ pk: `SEMESTER#${semesterId}`, sk: 'SEMESTER' });
export const SEMESTER_DIRECTORY_PK = 'SEMESTERS';
export const semesterDirectoryKeys = (semesterId: string, startDate: string) => ({
  gsi2pk: SEMESTER_DIRECTORY_PK,
  gsi2sk: `${startDate}#${semesterId}`,
});

/** RS1: a school's rosters of one semester, and its imports of them. */
export const rosterPk = (semesterId: string, schoolUnitId: string) => `ROSTER#${semesterId}#${schoolUnitId}`;
export const ROSTER_ENTRY_SK_PREFIX = 'ENTRY#';
export const rosterEntryKey = (e: {
  semesterId: string;
  schoolUnitId: string;
  kind: string;
  id: string;
}) => ({
  pk: rosterPk(e.semesterId, e.schoolUnitId),
  sk: `${ROSTER_ENTRY_SK_PREFIX}${e.kind}#${e.id}`,
});
export const rosterImportKey = (semesterId: string, schoolUnitId: string, sha256: string) => ({
  pk: rosterPk(semesterId, schoolUnitId),
  sk: `IMPORT#${sha256}`,
});

/** The township a school under none is filed under in the county ledger (sorts last). */
export const NO_TOWNSHIP = '~';
export const schoolLedgerPk = (semesterId: string, schoolUnitId: string) =>
  `LEDGER#${semesterId}#SCHOOL#${schoolUnitId}`;
export const townshipLedgerPk = (semesterId: string, townshipUnitId: string) =>
  `LEDGER#${semesterId}#TOWNSHIP#${townshipUnitId}`;
export const countyLedgerPk = (semesterId: string) => `LEDGER#${semesterId}`;

/** RS2–RS4's keys: only on a child in the ledger (not verified as studying elsewhere). */
export function rosterLedgerKeys(e: {
  semesterId: string;
  schoolUnitId: string;
  townshipUnitId: string | null;
  kind: string;
  id: string;
  verifiedElsewhere: boolean;
}) {
  if (e.verifiedElsewhere) return {};
  const inSchool = `${e.kind}#${e.id}`;
  return {
    gsi1pk: schoolLedgerPk(e.semesterId, e.schoolUnitId),
    gsi1sk: inSchool,
    ...(e.townshipUnitId === null
      ? {}
      : {
          gsi2pk: townshipLedgerPk(e.semesterId, e.townshipUnitId),
          gsi2sk: `${e.schoolUnitId}#${inSchool}`,
        }),
    gsi3pk: countyLedgerPk(e.semesterId),
    gsi3sk: `${e.townshipUnitId ?? NO_TOWNSHIP}#${e.schoolUnitId}#${inSchool}`,
  };
}

/** B1: a task's instructions (领导批示) share one partition; the id is fixed per press (a retry's key). */
export const taskInstructionsPk = (taskId: string) => `INSTRUCTIONS#${taskId}`;
export const instructionKey = (taskId: string, instructionId: string) => ({
  pk: taskInstructionsPk(taskId),
  sk: `INSTR#${instructionId}`,
});

/** K6: the office's 控辍保学 settings. */
export const caseSettingsKey = () => ({ pk: 'SETTINGS', sk: 'CASES' });
/** K7: the partition of returned cases whose identifying fields wait for the end of retention. */
export const CASE_ERASE_PK = 'CASEERASE';
export const caseEraseKeys = (returnedOn: string, caseId: string) => ({
  gsi4pk: CASE_ERASE_PK,
  gsi4sk: `${returnedOn}#${caseId}`,
});

/** CF1: a care file (留守儿童一人一案) and its support records in one partition. */
export const careFileKey = (careFileId: string) => ({ pk: `CAREFILE#${careFileId}`, sk: 'CAREFILE' });
export const CARE_RECORD_SK_PREFIX = 'RECORD#';
export const careRecordKey = (careFileId: string, recordedAt: string, recordId: string) => ({
  pk: `CAREFILE#${careFileId}`,
  sk: `${CARE_RECORD_SK_PREFIX}${recordedAt}#${recordId}`,
});
export const schoolCareFilesPk = (schoolUnitId: string) => `CAREFILES#SCHOOL#${schoolUnitId}`;
export const townshipCareFilesPk = (townshipUnitId: string) => `CAREFILES#TOWNSHIP#${townshipUnitId}`;
export const COUNTY_CARE_FILES_PK = 'CAREFILES';
/** CF2–CF4's keys, written once with the file (what they sort by never changes). */
export function careFileIndexKeys(f: {
  id: string;
  schoolUnitId: string;
  townshipUnitId: string;
  createdAt: string;
}) {
  const own = `${f.createdAt}#${f.id}`;
  return {
    gsi1pk: schoolCareFilesPk(f.schoolUnitId),
    gsi1sk: own,
    gsi2pk: townshipCareFilesPk(f.townshipUnitId),
    gsi2sk: `${f.schoolUnitId}#${own}`,
    gsi3pk: COUNTY_CARE_FILES_PK,
    gsi3sk: `${f.townshipUnitId}#${f.schoolUnitId}#${own}`,
  };
}
/** CP1: the pairs of one child, a care file's or a dropout case's. */
export const PAIR_SK_PREFIX = 'PAIR#';
export const pairsPk = (child: { kind: 'care-file' | 'case'; id: string }) =>
  `PAIRS#${child.kind}:${child.id}`;
export const pairKey = (child: { kind: 'care-file' | 'case'; id: string }, planId: string) => ({
  pk: pairsPk(child),
  sk: `${PAIR_SK_PREFIX}${planId}`,
});
/** K8: the county ledger's frozen snapshots, listed by cut-off; each is R1's head and parts. */
export const CASE_LEDGER_REPORTS_PK = 'CASELEDGER#REPORTS';
export const caseLedgerReportKeys = (asOf: string, reportId: string) => ({
  gsi2pk: CASE_LEDGER_REPORTS_PK,
  gsi2sk: `${asOf}#${reportId}`,
});

/** K9: a school's remembered 包保 people (leader; a teacher per class as `class:<grade>/<className>`). */
export const caseChainKey = (schoolUnitId: string) => ({ pk: `CASECHAIN#${schoolUnitId}`, sk: 'CHAIN' });
export const caseChainClassAttr = (grade: string, className: string) => `class:${grade}/${className}`;
/** K10: the open case of one roster child, while it is open. */
export const caseRosterKey = (semesterId: string, entryId: string) => ({
  pk: `CASEROSTER#${semesterId}#${entryId}`,
  sk: 'OPEN',
});
