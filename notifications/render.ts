// A small, strict subset of Mustache for the notice templates (notifications/templates/):
//   {{name}}              the value, HTML-escaped when rendering HTML (dotted names reach into objects)
//   {{{name}}}            the value unescaped: only for HTML this code built itself (the layout's content)
//   {{#name}}…{{/name}}   the block when the value is truthy (no lists: templates have none)
//   {{^name}}…{{/name}}   the block when the value is falsy
// A section tag alone on its line takes the whole line with it, so plain-text templates keep their layout.
// Strict where Mustache is lenient: a name the view does not define, or an empty value printed outside a
// section that guards it, is an error, so a typo in a template fails its test instead of sending a blank.
// (Why not the `mustache` package: this is all the templates need, and its silence on unknown names is
// exactly what a letter to a complainant must not have.)

export type TemplateView = Record<string, unknown>;

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: string; raw: boolean }
  | { kind: 'section'; name: string; inverted: boolean; children: Node[] };

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const TAG = /\{\{\{\s*([\w.-]+)\s*\}\}\}|\{\{\s*([#^/]?)\s*([\w.-]+)\s*\}\}/g;
const STANDALONE_SECTION_TAG = /^[ \t]*(\{\{\s*[#^/]\s*[\w.-]+\s*\}\})[ \t]*\r?\n/gm;

export function parseTemplate(source: string, templateName: string): Node[] {
  const text = source.replace(STANDALONE_SECTION_TAG, '$1');
  const root: Node[] = [];
  const stack: { name: string; children: Node[] }[] = [{ name: '', children: root }];
  let last = 0;
  for (const match of text.matchAll(TAG)) {
    const current = stack[stack.length - 1]!;
    if (match.index > last) current.children.push({ kind: 'text', text: text.slice(last, match.index) });
    last = match.index + match[0].length;
    const [, rawName, sigil, name] = match;
    if (rawName) {
      current.children.push({ kind: 'value', name: rawName, raw: true });
    } else if (sigil === '#' || sigil === '^') {
      const section: Node = { kind: 'section', name: name!, inverted: sigil === '^', children: [] };
      current.children.push(section);
      stack.push({ name: name!, children: section.children });
    } else if (sigil === '/') {
      if (stack.length === 1 || current.name !== name) {
        throw new TemplateError(
          `${templateName}: {{/${name}}} closes ${stack.length === 1 ? 'nothing' : `{{#${current.name}}}`}`,
        );
      }
      stack.pop();
    } else {
      current.children.push({ kind: 'value', name: name!, raw: false });
    }
  }
  if (stack.length > 1)
    throw new TemplateError(`${templateName}: {{#${stack[stack.length - 1]!.name}}} is never closed`);
  if (last < text.length) root.push({ kind: 'text', text: text.slice(last) });
  return root;
}

export function renderTemplate(
  source: string,
  view: TemplateView,
  options: { html: boolean; templateName: string },
): string {
  return renderNodes(parseTemplate(source, options.templateName), view, options);
}

function renderNodes(nodes: Node[], view: TemplateView, options: { html: boolean; templateName: string }): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') {
      out += node.text;
    } else if (node.kind === 'section') {
      const value = lookup(view, node.name, options.templateName);
      if (Boolean(value) !== node.inverted) out += renderNodes(node.children, view, options);
    } else {
      const value = lookup(view, node.name, options.templateName);
      if (value === undefined || value === null || value === '') {
        throw new TemplateError(
          `${options.templateName}: {{${node.name}}} is empty; guard it with {{#${node.name}}}…{{/${node.name}}}`,
        );
      }
      const text = String(value);
      out += options.html && !node.raw ? escapeHtml(text) : text;
    }
  }
  return out;
}

function lookup(view: TemplateView, name: string, templateName: string): unknown {
  let value: unknown = view;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || !(part in value)) {
      throw new TemplateError(`${templateName}: the view has no "${name}"`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
