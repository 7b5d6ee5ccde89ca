/**
 * How long a closed case's identifying fields are kept (个人信息保护法: no longer than needed): to
 * the end (31 August) of the school year it closed in, plus the number of school years the office
 * sets — by default one, the end of the following school year. Erased from the next day on. Pure.
 */

/** The default: kept to the end of the school year after the one the case closed in. */
export const DEFAULT_RETENTION_SCHOOL_YEARS = 1;

/**
 * The latest return date whose case is past retention on `today`: every case returned on or
 * before it is erased. A later return date is never due before an earlier one, so the cases due
 * are one key range of the return date.
 */
export function lastReturnDateToErase(today: string, schoolYears: number): string {
  const year = Number(today.slice(0, 4));
  // The last school year that has ended by today ends on 31 August of this year or the one before.
  const ended = today >= `${year}-09-01` ? year : year - 1;
  return `${String(ended - schoolYears).padStart(4, '0')}-08-31`;
}

/** The first day a case returned on `returnedOn` is erased. */
export function erasedFrom(returnedOn: string, schoolYears: number): string {
  const year = Number(returnedOn.slice(0, 4));
  const endsIn = returnedOn >= `${year}-09-01` ? year + 1 : year;
  return `${endsIn + schoolYears}-09-01`;
}
