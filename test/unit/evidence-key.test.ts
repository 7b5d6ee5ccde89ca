import { describe, expect, it } from 'vitest';
import {
  classifyEvidenceRef,
  evidenceFileKey,
  extensionOf,
  isEvidenceKey,
  slugOfFileName,
  typeOfExtension,
} from '../../shared/domain/evidence/file-key.js';
import { EVIDENCE_CONTENT_TYPES, type EvidenceContentType } from '../../shared/domain/evidence/limits.js';

const FILE_ID = 'f-01hy7k2m3n4p5q6r7s8t';

describe('evidence file keys', () => {
  it('reads an extension only where there is one', () => {
    expect(extensionOf('roster.PDF')).toBe('pdf');
    expect(extensionOf('a.b.xlsx')).toBe('xlsx');
    expect(extensionOf('.pdf')).toBeUndefined();
    expect(extensionOf('花名册')).toBeUndefined();
    expect(extensionOf('第一次.会议纪要')).toBeUndefined();
    expect(extensionOf('report.final')).toBe('final');
    expect(typeOfExtension('final')).toBeUndefined();
    expect(typeOfExtension('jpeg')).toBe('image/jpeg');
  });

  it('slugs Latin names, drops what is not ASCII, and falls back to "file"', () => {
    expect(slugOfFileName('Roster FINAL (v2).JPG')).toBe('roster-final-v2');
    expect(slugOfFileName('Café Übersicht.pdf')).toBe('cafe-ubersicht');
    expect(slugOfFileName('适龄儿童花名册(签字版).pdf')).toBe('file');
    expect(slugOfFileName('2026年自查报告.docx')).toBe('2026');
    expect(slugOfFileName('minutes.final')).toBe('minutes-final');
    expect(slugOfFileName(`${'a'.repeat(39)} b.pdf`)).toBe('a'.repeat(39));
    expect(slugOfFileName('../../etc/passwd')).toBe('etc-passwd');
  });

  it('builds duties/<duty>/<id>-<slug>.<ext>, keeping a matching extension, else the type’s', () => {
    const key = (fileName: string, contentType: EvidenceContentType) =>
      evidenceFileKey({ dutyId: 'duty-1', fileId: FILE_ID, fileName, contentType });
    expect(key('scan.JPEG', 'image/jpeg')).toBe(`duties/duty-1/${FILE_ID}-scan.jpeg`);
    expect(key('台账', 'application/vnd.ms-excel')).toBe(`duties/duty-1/${FILE_ID}-file.xls`);
    expect(key('minutes.final', 'application/pdf')).toBe(`duties/duty-1/${FILE_ID}-minutes-final.pdf`);
  });

  it('makes only keys that pass its own pattern, for every type and hostile names', () => {
    for (const contentType of Object.keys(EVIDENCE_CONTENT_TYPES) as EvidenceContentType[]) {
      for (const fileName of ['../../x', '报告', 'A'.repeat(200), '%2e%2e/..\\x.pdf', ' .docx ']) {
        const key = evidenceFileKey({ dutyId: 'duty-1', fileId: FILE_ID, fileName, contentType });
        expect(isEvidenceKey(key), key).toBe(true);
      }
    }
    expect(isEvidenceKey('duties/duty-1/../x.pdf')).toBe(false);
    expect(isEvidenceKey('duties/duty-1/x.pdf/')).toBe(false);
    expect(isEvidenceKey('/etc/passwd')).toBe(false);
  });
});

describe('evidence references in a submission', () => {
  const own = 'duties/duty-1/f-01krq862806xfwjm3906-roster.pdf';
  it('tells this duty’s uploads from other duties’ and from links or archive numbers', () => {
    expect(classifyEvidenceRef(own, 'duty-1')).toBe('own-file');
    expect(classifyEvidenceRef(own, 'duty-2')).toBe('foreign-file');
    expect(classifyEvidenceRef('duties/duty-1/../duty-2/x.pdf', 'duty-1')).toBe('foreign-file');
    expect(classifyEvidenceRef('duties/duty-10/f-1-x.pdf', 'duty-1')).toBe('foreign-file');
    expect(classifyEvidenceRef('https://files.example/a.pdf', 'duty-1')).toBe('external');
    expect(classifyEvidenceRef('档号 2026-教-017', 'duty-1')).toBe('external');
  });
});
