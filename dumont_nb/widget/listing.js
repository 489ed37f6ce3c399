// dumont_nb listing: a sortable, virtualized file list (anywidget ES module, no build step).
// All state lives in the Python model; this view only renders rows as *text* (textContent,
// never innerHTML), so store-provided names cannot inject markup.
const ROW = 26;
const COLS = [["name", "Name"], ["type", "Type"], ["size", "Size"], ["mtime", "Modified"]];

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render({ model, el: root }) {
  root.classList.add("dumont-listing");
  const header = el("div", "dumont-row dumont-header");
  const scroller = el("div", "dumont-scroller");
  scroller.tabIndex = 0;
  const spacer = el("div", "dumont-spacer");
  scroller.appendChild(spacer);
  const footer = el("div", "dumont-footer");
  root.append(header, scroller, footer);
  let focus = 0;
  let anchor = 0;

  const rows = () => model.get("rows") || [];
  const selected = () => new Set(model.get("selected") || []);

  function setSelected(urls) {
    model.set("selected", urls);
    model.save_changes();
  }
  function activate(i) {
    const r = rows()[i];
    if (!r) return;
    model.set("activated", r.url);
    model.save_changes();
  }
  function requestMore() {
    if (!model.get("more") || model.get("loading")) return;
    model.set("more_requests", (model.get("more_requests") || 0) + 1);
    model.save_changes();
  }

  function drawHeader() {
    header.replaceChildren();
    const disabled = new Set(model.get("unsortable") || []);
    for (const [key, label] of COLS) {
      const by = model.get("sort_by");
      const arrow = by === key ? (model.get("sort_desc") ? " ▼" : " ▲") : "";
      const cell = el("div", "dumont-cell dumont-col-" + key, label + arrow);
      if (disabled.has(key)) {
        cell.classList.add("dumont-disabled");
        cell.title = "cannot sort: " + (model.get("unsortable_why") || {})[key];
      } else {
        cell.title = "sort by " + label.toLowerCase();
        cell.addEventListener("click", () => {
          if (model.get("sort_by") === key) model.set("sort_desc", !model.get("sort_desc"));
          else { model.set("sort_by", key); model.set("sort_desc", false); }
          model.save_changes();
        });
      }
      header.appendChild(cell);
    }
  }

  function drawRows() {
    const all = rows();
    const sel = selected();
    spacer.style.height = all.length * ROW + "px";
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 5);
    const last = Math.min(all.length, first + Math.ceil((scroller.clientHeight || 400) / ROW) + 10);
    spacer.replaceChildren();
    for (let i = first; i < last; i++) {
      const r = all[i];
      const row = el("div", "dumont-row dumont-item" + (r.is_dir ? " dumont-dir" : ""));
      row.style.top = i * ROW + "px";
      row.dataset.index = String(i);
      row.dataset.url = r.url;
      if (sel.has(r.url)) row.classList.add("dumont-selected");
      if (i === focus) row.classList.add("dumont-focus");
      const name = el("div", "dumont-cell dumont-col-name");
      // Font Awesome ships with Jupyter's widget manager; without it the icon is just empty
      name.append(el("i", "dumont-icon fa " + (r.is_dir ? "fa-folder" : "fa-file-o")), el("span", "dumont-name", r.name));
      row.append(
        name,
        el("div", "dumont-cell dumont-col-type", r.type),
        el("div", "dumont-cell dumont-col-size", r.size_h),
        el("div", "dumont-cell dumont-col-mtime", r.mtime),
      );
      row.addEventListener("click", (ev) => select(i, ev));
      row.addEventListener("dblclick", () => activate(i));
      spacer.appendChild(row);
    }
    const shown = all.length;
    footer.textContent = model.get("loading")
      ? "loading…"
      : shown + " entries" + (model.get("more") ? " shown; scroll down or press End for more" : "");
  }

  function select(i, ev) {
    const all = rows();
    if (!all[i]) return;
    focus = i;
    if (ev && ev.shiftKey) {
      const [a, b] = anchor < i ? [anchor, i] : [i, anchor];
      setSelected(all.slice(a, b + 1).map((r) => r.url));
    } else if (ev && (ev.ctrlKey || ev.metaKey)) {
      const sel = selected();
      if (sel.has(all[i].url)) sel.delete(all[i].url); else sel.add(all[i].url);
      anchor = i;
      setSelected([...sel]);
    } else {
      anchor = i;
      setSelected([all[i].url]);
    }
    scroller.focus();
    drawRows();
  }

  scroller.addEventListener("keydown", (ev) => {
    const n = rows().length;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      const i = Math.min(n - 1, Math.max(0, focus + (ev.key === "ArrowDown" ? 1 : -1)));
      select(i, ev);
      if (i * ROW < scroller.scrollTop) scroller.scrollTop = i * ROW;
      if ((i + 1) * ROW > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = (i + 1) * ROW - scroller.clientHeight;
      ev.preventDefault();
    } else if (ev.key === "Enter") {
      activate(focus);
      ev.preventDefault();
    } else if (ev.key === "Backspace") {
      model.set("activated", "..");
      model.save_changes();
      ev.preventDefault();
    } else if (ev.key === "End") {
      requestMore();
    }
  });
  scroller.addEventListener("scroll", () => {
    drawRows();
    if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4 * ROW) requestMore();
  });

  function copyToClipboard() {
    const text = model.get("clipboard");
    if (text && navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
  }

  let shownFirst = null;
  let shownCount = 0;
  model.on("change:rows", () => {
    const all = rows();
    const first = all.length ? all[0].url : null;
    // more pages appended to the same listing keep the scroll position; anything else starts over
    if (first !== shownFirst || all.length < shownCount) { focus = 0; scroller.scrollTop = 0; }
    shownFirst = first;
    shownCount = all.length;
    drawRows();
  });
  model.on("change:selected", drawRows);
  model.on("change:more", drawRows);
  model.on("change:loading", drawRows);
  model.on("change:sort_by", drawHeader);
  model.on("change:sort_desc", drawHeader);
  model.on("change:unsortable", drawHeader);
  model.on("change:clipboard_serial", copyToClipboard);
  shownFirst = rows().length ? rows()[0].url : null;
  shownCount = rows().length;
  drawHeader();
  drawRows();
  requestAnimationFrame(drawRows);
}

export default { render };
