import type { FC, PropsWithChildren } from 'hono/jsx';
import type { Instruction, TaskOrigin } from '../../shared/schemas/instructions.js';
import { HtmlDocument } from './layout.js';

/**
 * A4 print pages (督办单, 催办单, 办结单): a document of their own, no navigation and no script, laid
 * out for paper by CSS (`@page` A4 with margins, black on white, ruled tables that do not split a
 * row across pages); on screen the same sheet with a print hint and a way back.
 */
const PRINT_CSS = `
@page { size: A4 portrait; margin: 18mm 16mm 16mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #000; background: #fff; font: 12pt/1.6 "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun", sans-serif; }
.sheet { max-width: 178mm; margin: 0 auto; }
h1 { text-align: center; font-size: 22pt; letter-spacing: 0.4em; margin: 0 0 2mm; }
.number { text-align: center; margin: 0 0 6mm; }
table { width: 100%; border-collapse: collapse; margin: 0 0 5mm; }
th, td { border: 1px solid #000; padding: 2mm 3mm; vertical-align: top; text-align: left; }
th { width: 26mm; font-weight: 600; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
.inner th { width: auto; }
.pre { white-space: pre-wrap; }
.sign { display: flex; justify-content: space-between; margin-top: 12mm; gap: 8mm; }
.sign p { margin: 0; flex: 1; }
.muted { color: #444; font-size: 10.5pt; }
.screen { margin: 0 0 6mm; padding: 3mm; border: 1px dashed #888; font-size: 10.5pt; }
@media screen { body { padding: 10mm 4mm; background: #eee; } .sheet { background: #fff; padding: 14mm 12mm; box-shadow: 0 0 4px #999; } }
@media print { .screen { display: none; } a { color: #000; text-decoration: none; } }
`;

/** The sheet: title, number line, content, and (on screen only) the hint and the way back. */
export const PrintSheet: FC<PropsWithChildren<{ title: string; number?: string; back: string }>> = ({
  title,
  number,
  back,
  children,
}) => (
  <HtmlDocument title={title} css={PRINT_CSS}>
    <main class="sheet">
      <p class="screen">
        按 Ctrl+P(手机用浏览器菜单中的“打印”)打印或另存为 PDF,纸张为 A4 纵向。<a href={back}>返回</a>
      </p>
      <h1>{title}</h1>
      {number !== undefined && <p class="number">{number}</p>}
      {children}
    </main>
  </HtmlDocument>
);

/** A ruled row: a label cell and its content. */
export const Row: FC<PropsWithChildren<{ label: string }>> = ({ label, children }) => (
  <tr>
    <th scope="row">{label}</th>
    <td>{children}</td>
  </tr>
);

/** The leaders' 批示 on a form: the task's origin and every instruction, each with who and when. */
export const InstructionLines: FC<{
  origin?: TaskOrigin | null | undefined;
  items: readonly Instruction[];
}> = ({ origin, items }) => {
  if ((origin === undefined || origin === null) && items.length === 0) return <>无</>;
  return (
    <>
      {origin !== undefined && origin !== null && (
        <p class="pre">
          (立项依据){origin.signedBy} {origin.signedOn} 批示:{origin.text}
        </p>
      )}
      {items.map((i) => (
        <p class="pre">
          {i.signedBy} {i.signedOn} 批示:{i.text}
        </p>
      ))}
    </>
  );
};
