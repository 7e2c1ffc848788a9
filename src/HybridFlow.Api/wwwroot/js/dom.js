// Builds elements from data without ever parsing HTML: text always goes in as text nodes (message text is untrusted).
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'class') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'value') element.value = value;
    else if (name === 'checked' || name === 'selected' || name === 'disabled') element[name] = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(element) {
  while (element.firstChild) element.firstChild.remove();
  return element;
}

export function replace(element, ...children) {
  clear(element);
  append(element, children);
  return element;
}

const announcer = () => document.getElementById('announcer');

/** Says something to screen readers (the page's aria-live region). */
export function announce(text) {
  const region = announcer();
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick makes the same sentence twice in a row be read again.
  setTimeout(() => { region.textContent = text; }, 30);
}

let idCounter = 0;
export function uid(prefix) { idCounter += 1; return `${prefix}-${idCounter}`; }

/** A label over its control, and an optional hint the control is described by (every form of the app). */
export function field(labelText, control, hintText) {
  const hintId = hintText ? `${control.id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control,
    hintText ? h('p', { class: 'hint', id: hintId }, hintText) : null);
}
