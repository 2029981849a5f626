/**
 * A small XML well-formedness check for the SVG the evaluation writes (no XML
 * parser among the dependencies): tags balance and nest, attributes are
 * quoted and unique, `&` only starts a known entity, no stray `<`. Returns the
 * text content, so tests can look for labels in it.
 */
const NAME = '[A-Za-z_][\\w.:-]*';
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*("[^"<]*"|'[^'<]*')`, 'y');
const ENTITY = /&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

function checkText(text: string, at: number): void {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '&') {
      ENTITY.lastIndex = i;
      if (!ENTITY.test(text)) throw new Error(`bare & at ${at + i}`);
    }
  }
}

export function checkWellFormedXml(xml: string): { root: string; text: string } {
  const stack: string[] = [];
  let root = '';
  let text = '';
  let i = 0;
  const prolog = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (prolog) i = prolog[0].length;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const chunk = xml.slice(i, lt < 0 ? xml.length : lt);
    checkText(chunk, i);
    if (chunk.trim() && !stack.length) throw new Error(`text outside the root element at ${i}`);
    text += chunk;
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt);
    if (gt < 0) throw new Error(`unclosed tag at ${lt}`);
    const tag = xml.slice(lt, gt + 1);
    const close = new RegExp(`^</(${NAME})\\s*>$`).exec(tag);
    if (close) {
      const open = stack.pop();
      if (open !== close[1]) throw new Error(`</${close[1]}> closes <${open ?? 'nothing'}> at ${lt}`);
    } else {
      const start = new RegExp(`^<(${NAME})`).exec(tag);
      if (!start) throw new Error(`bad tag ${tag.slice(0, 40)} at ${lt}`);
      const seen = new Set<string>();
      let j = start[0].length;
      for (;;) {
        ATTRIBUTE.lastIndex = j;
        const attr = ATTRIBUTE.exec(tag);
        if (!attr) break;
        if (seen.has(attr[1]!)) throw new Error(`duplicate attribute ${attr[1]} at ${lt}`);
        seen.add(attr[1]!);
        checkText(attr[2]!, lt + j);
        j = ATTRIBUTE.lastIndex;
      }
      const rest = tag.slice(j);
      if (!/^\s*\/?>$/.test(rest)) throw new Error(`malformed tag ${tag.slice(0, 60)} at ${lt}`);
      if (!stack.length) {
        if (root) throw new Error(`second root element <${start[1]}> at ${lt}`);
        root = start[1]!;
      }
      if (!rest.trim().startsWith('/')) stack.push(start[1]!);
    }
    i = gt + 1;
  }
  if (stack.length) throw new Error(`unclosed <${stack.at(-1)}>`);
  if (!root) throw new Error('no root element');
  return { root, text };
}
