// Diagrams on a small screen. A diagram is never drawn smaller than its smallest text can be
// read at (LEGIBLE_PX): one that would be is shown at that size in a box that scrolls
// sideways. Tapping or clicking any diagram opens it full screen in a <dialog>, where it
// pans with one finger (or the mouse, or the arrow keys) and zooms with two (or the wheel,
// or + and -). The page (templates/_dialogs.html, diagram_viewer) holds the dialog.
const LEGIBLE_PX = 10.5; // about 11 px; the desktop card (590 px) still shows a 720-unit diagram whole
const MAX_ZOOM = 4; // times the legible size
const DIAGRAMS = ":is(.prompt, .answer, .explanation) img, svg.diagram";
const PAN_STEP = 40;

// The fonts a diagram's CSS and attributes set, in px: the smallest is what must stay legible.
const FONT_SIZE = /font-size\s*[:=]\s*["']?\s*([\d.]+)\s*(px|pt|em|rem|%)?/gi;
const UNIT = { px: 1, pt: 4 / 3, em: 16, rem: 16, "%": 0.16 };

/** The smallest font size an SVG's source sets, in its own units (16 when it sets none). */
export function smallestFont(source) {
  let smallest = Infinity;
  for (const [, value, unit] of source.matchAll(FONT_SIZE)) {
    const size = Number(value) * UNIT[(unit || "px").toLowerCase()];
    if (size > 0) smallest = Math.min(smallest, size);
  }
  return Number.isFinite(smallest) ? smallest : 16;
}

function widthOf(viewBox, width) {
  const box = (viewBox || "").trim().split(/[\s,]+/).map(Number);
  if (box.length === 4 && box[2] > 0) return box[2];
  return parseFloat(width) || null;
}

const viewBoxWidth = (svg) => widthOf(svg.getAttribute("viewBox"), svg.getAttribute("width"));

// The root <svg> tag's width, read from the source's text: parsing the source into a
// document would apply its <style> and style attributes under the page's CSP, which
// refuses them (and says so in the console).
const ROOT = /<svg\b[^>]*>/i;
const attribute = (tag, name) => tag.match(new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, "i"))?.[1];

function sourceWidth(source) {
  const tag = source.match(ROOT)?.[0];
  return tag ? widthOf(attribute(tag, "viewBox"), attribute(tag, "width")) : null;
}

const measured = new Map(); // URL -> Promise of {width, font} or null

// An <img>'s SVG, read as text (once per URL; the image then comes from the browser's
// cache) and never put into the page: its size and smallest font are all that is wanted.
function measureSource(url) {
  if (!url) return Promise.resolve(null); // an image without a source (fetch("") is the page)
  if (!measured.has(url)) {
    measured.set(url, fetch(url, { credentials: "same-origin" })
      .then((response) => {
        const type = response.headers.get("Content-Type") || "";
        if (response.ok && type.includes("svg")) return response.text();
        response.body?.cancel(); // not a diagram to measure: its body is not read
        return null;
      })
      .then((source) => {
        if (!source) return null;
        const width = sourceWidth(source);
        return width ? { width, font: smallestFont(source) } : null;
      })
      .catch(() => null));
  }
  return measured.get(url);
}

// An inline SVG is measured as drawn: its texts' computed sizes, in its own units.
function measureInline(svg) {
  const width = viewBoxWidth(svg);
  const sizes = [...svg.querySelectorAll("text, tspan")]
    .filter((text) => text.textContent.trim())
    .map((text) => parseFloat(getComputedStyle(text).fontSize))
    .filter((size) => size > 0);
  return Promise.resolve(width && sizes.length ? { width, font: Math.min(...sizes) } : null);
}

/** The width in CSS px below which a diagram's smallest text would be under LEGIBLE_PX. */
export function legibleWidth({ width, font }) {
  return Math.ceil((width * LEGIBLE_PX) / font);
}

// A diagram's own size, in CSS px: an image's natural one, an inline SVG's viewBox.
function naturalSize(diagram) {
  if (diagram instanceof HTMLImageElement) {
    return { width: diagram.naturalWidth || 720, height: diagram.naturalHeight || 540 };
  }
  const box = (diagram.getAttribute("viewBox") || "").trim().split(/[\s,]+/).map(Number);
  if (box.length === 4 && box[2] > 0 && box[3] > 0) return { width: box[2], height: box[3] };
  const { width, height } = diagram.getBoundingClientRect();
  return { width: width || 720, height: height || 540 };
}

// The diagram in a box that scrolls sideways, inside a button that opens the viewer.
function frame(diagram, viewer) {
  const box = document.createElement("span");
  box.className = "diagram-frame";
  const open = document.createElement("button");
  open.type = "button";
  open.className = "diagram-open";
  const name = (diagram.getAttribute("alt") || diagram.querySelector?.("title")?.textContent || "").trim();
  open.dataset.name = name;
  open.setAttribute("aria-label", [viewer.dataset.openLabel, name].filter(Boolean).join(": "));
  open.dataset.hint = viewer.dataset.hint || ""; // shown under it on a touch screen
  diagram.replaceWith(box);
  box.append(open);
  open.append(diagram);
  open.addEventListener("click", () => viewer.show(diagram, open));
  // The page's own keys (Space shows the answer, Enter goes on) must not take the button's.
  open.addEventListener("keydown", (event) => {
    if (event.key === " " || event.key === "Enter") event.stopPropagation();
  });
  return box;
}

async function fit(diagram, box) {
  const size = diagram instanceof HTMLImageElement
    ? await measureSource(diagram.currentSrc || diagram.src)
    : await measureInline(diagram);
  if (!size) return;
  const least = legibleWidth(size);
  diagram.dataset.legibleWidth = String(least);
  box.dataset.legibleWidth = String(least);
  box.style.setProperty("--legible-width", `${least}px`);
}

function enhance(diagram, viewer) {
  if (diagram.closest(".diagram-frame, button, a, dialog")) return;
  // Measured at once, not when a lazy image loads: its box has its width before it does.
  fit(diagram, frame(diagram, viewer));
}

function enhanceWithin(root, viewer) {
  if (root.matches?.(DIAGRAMS)) enhance(root, viewer);
  for (const diagram of root.querySelectorAll?.(DIAGRAMS) ?? []) enhance(diagram, viewer);
}

// The full-screen view: the diagram's copy, at a scale and offset the gestures change.
class Viewer {
  constructor(dialog) {
    this.dialog = dialog;
    this.dataset = dialog.dataset;
    this.stage = dialog.querySelector("[data-stage]");
    this.pointers = new Map();
    this.view = { x: 0, y: 0, scale: 1 };
    const close = dialog.querySelector("[data-close]");
    close.addEventListener("click", () => dialog.close());
    // A finger closes on lifting: the click a browser makes of a tap can be dropped when the
    // tap follows a pinch closely, and must not then land on the page behind the viewer.
    close.addEventListener("touchend", (event) => {
      event.preventDefault();
      dialog.close();
    });
    dialog.addEventListener("close", () => this.closed());
    // The phone's Back closes the view, as it closes a full-screen view elsewhere, rather than
    // leave the page behind it: the view has a history entry of its own while it is open.
    window.addEventListener("popstate", () => {
      if (!dialog.open) return;
      this.popped = true;
      dialog.close();
    });
    // Ahead of the page's own keys (Space shows the answer, digits grade), wherever focus is.
    window.addEventListener("keydown", (event) => { if (dialog.open) this.key(event); }, true);
    this.stage.addEventListener("pointerdown", (event) => this.down(event));
    this.stage.addEventListener("pointermove", (event) => this.move(event));
    for (const type of ["pointerup", "pointercancel"]) {
      this.stage.addEventListener(type, (event) => this.pointers.delete(event.pointerId));
    }
    this.stage.addEventListener("wheel", (event) => this.wheel(event), { passive: false });
  }

  show(diagram, opener) {
    this.opener = opener;
    this.copy = diagram.cloneNode(true);
    this.copy.removeAttribute("loading");
    this.copy.classList.add("diagram-copy");
    this.stage.replaceChildren(this.copy);
    this.dialog.setAttribute("aria-label", opener.dataset.name || this.dataset.name);
    this.dialog.showModal();
    if (!history.state?.diagramViewer) history.pushState({ ...history.state, diagramViewer: true }, "");
    ({ width: this.width, height: this.height } = naturalSize(diagram));
    const { clientWidth, clientHeight } = this.stage;
    const whole = Math.min(clientWidth / this.width, clientHeight / this.height);
    const legible = Number(diagram.dataset.legibleWidth || 0) / this.width;
    this.least = Math.min(whole, legible || whole);
    this.most = Math.max(legible || 1, 1) * MAX_ZOOM;
    // From its top left corner, where reading starts, when it is larger than the screen.
    this.draw({ scale: Math.max(legible, Math.min(whole, 1)), x: 0, y: 0 });
  }

  closed() {
    this.stage.replaceChildren();
    this.pointers.clear();
    this.opener?.focus();
    // Closed otherwise than by Back (the close button, Escape): its history entry goes too.
    if (!this.popped && history.state?.diagramViewer) history.back();
    this.popped = false;
  }

  // Keeps the diagram on the stage: centred where it is smaller, its edges outside where larger.
  draw({ x, y, scale }) {
    const s = Math.min(this.most, Math.max(this.least, scale));
    const w = this.width * s;
    const h = this.height * s;
    const { clientWidth, clientHeight } = this.stage;
    const clamp = (value, size, room) => (size <= room ? (room - size) / 2 : Math.min(0, Math.max(room - size, value)));
    this.view = { x: clamp(x, w, clientWidth), y: clamp(y, h, clientHeight), scale: s };
    this.copy.style.width = `${w}px`;
    this.copy.style.height = `${h}px`;
    this.copy.style.transform = `translate(${this.view.x}px, ${this.view.y}px)`;
    this.stage.dataset.scale = s.toFixed(3);
  }

  // Zooms by factor about the stage point (px, py), which stays where it is.
  zoom(factor, px, py) {
    const { x, y, scale } = this.view;
    const next = Math.min(this.most, Math.max(this.least, scale * factor));
    const ratio = next / scale;
    this.draw({ scale: next, x: px - (px - x) * ratio, y: py - (py - y) * ratio });
  }

  down(event) {
    this.stage.setPointerCapture?.(event.pointerId);
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
  }

  move(event) {
    const before = this.pointers.get(event.pointerId);
    if (!before) return;
    const others = [...this.pointers.entries()].filter(([id]) => id !== event.pointerId);
    const now = { x: event.clientX, y: event.clientY };
    this.pointers.set(event.pointerId, now);
    if (others.length === 0) {
      this.draw({ ...this.view, x: this.view.x + now.x - before.x, y: this.view.y + now.y - before.y });
      return;
    }
    const [, other] = others[0];
    const gap = (a) => Math.hypot(a.x - other.x, a.y - other.y) || 1;
    const rect = this.stage.getBoundingClientRect();
    const middle = { x: (now.x + other.x) / 2 - rect.left, y: (now.y + other.y) / 2 - rect.top };
    this.zoom(gap(now) / gap(before), middle.x, middle.y);
    this.draw({ ...this.view, x: this.view.x + (now.x - before.x) / 2, y: this.view.y + (now.y - before.y) / 2 });
  }

  wheel(event) {
    event.preventDefault();
    const rect = this.stage.getBoundingClientRect();
    this.zoom(Math.exp(-event.deltaY / 500), event.clientX - rect.left, event.clientY - rect.top);
  }

  key(event) {
    event.stopPropagation();
    const { clientWidth, clientHeight } = this.stage;
    const pans = { ArrowLeft: [PAN_STEP, 0], ArrowRight: [-PAN_STEP, 0], ArrowUp: [0, PAN_STEP], ArrowDown: [0, -PAN_STEP] };
    const zooms = { "+": 1.25, "=": 1.25, "-": 0.8 };
    if (pans[event.key]) {
      const [dx, dy] = pans[event.key];
      this.draw({ ...this.view, x: this.view.x + dx, y: this.view.y + dy });
    } else if (zooms[event.key]) {
      this.zoom(zooms[event.key], clientWidth / 2, clientHeight / 2);
    } else {
      return;
    }
    event.preventDefault();
  }
}

const dialog = document.querySelector("[data-diagram-viewer]");
if (dialog) {
  const viewer = new Viewer(dialog);
  enhanceWithin(document.body, viewer);
  // Review and quiz put each card's faces into the page as it comes.
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) enhanceWithin(node, viewer);
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}
