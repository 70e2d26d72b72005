/**
 * What the port of Svix's end-to-end suite (test/svix-compat/) says, read from its source rather than from a run:
 * each `describeSvix('e2e_…')` block is one Svix file, each `it` a Svix test that passes, each `it.todo` one that
 * still differs and each `it.skip` one that cannot apply. A todo or skip is named `<svix test>: <why>`.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface SvixTest {
  name: string;
  /** For a todo, what differs; for a skip, why it cannot apply. */
  note: string;
}

export interface SvixTestFile {
  /** Svix's file, e.g. `e2e_endpoint`. */
  svixFile: string;
  /** The port, relative to the repository. */
  file: string;
  passing: string[];
  todo: SvixTest[];
  skipped: SvixTest[];
}

export const COMPAT_TEST_DIR = 'test/svix-compat';

export function readSvixTests(root: string): SvixTestFile[] {
  const dir = path.join(root, COMPAT_TEST_DIR);
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .flatMap((name) => {
      const file = `${COMPAT_TEST_DIR}/${name}`;
      return parse(file, fs.readFileSync(path.join(dir, name), 'utf8'));
    });
}

function parse(file: string, text: string): SvixTestFile[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const blocks: SvixTestFile[] = [];
  const visit = (node: ts.Node, block: SvixTestFile | undefined): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      const title = node.arguments[0] && literal(node.arguments[0]);
      if (callee === 'describeSvix' && title !== undefined) {
        const inner: SvixTestFile = { svixFile: title, file, passing: [], todo: [], skipped: [] };
        blocks.push(inner);
        node.arguments.slice(1).forEach((child) => visit(child, inner));
        return;
      }
      if (block && title !== undefined) {
        if (callee === 'it' || callee === 'test') block.passing.push(title);
        else if (callee === 'it.todo' || callee === 'test.todo') block.todo.push(noted(file, title));
        else if (callee === 'it.skip' || callee === 'test.skip') block.skipped.push(noted(file, title));
      }
    }
    ts.forEachChild(node, (child) => visit(child, block));
  };
  visit(source, undefined);
  return blocks;
}

/** A string literal, or a concatenation of them, as a title is written across lines. */
function literal(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = literal(node.left);
    const right = literal(node.right);
    return left !== undefined && right !== undefined ? left + right : undefined;
  }
  if (ts.isParenthesizedExpression(node)) return literal(node.expression);
  return undefined;
}

function noted(file: string, title: string): SvixTest {
  const colon = title.indexOf(': ');
  if (colon < 0) throw new Error(`${file}: "${title}" must be named "<svix test>: <why>"`);
  return { name: title.slice(0, colon), note: title.slice(colon + 2) };
}
