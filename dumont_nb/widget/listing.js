// dumont_nb listing: a sortable, virtualized file list (anywidget ES module, no build step).
// All state lives in the Python model; this view only renders rows as *text* (textContent,
// never innerHTML), so store-provided names cannot inject markup.
const ROW = 22;
const COLS = [["name", "Name"], ["size", "Size"], ["mtime", "Modified"]];
// Font Awesome 4 (shipped with Jupyter's widget manager) icons by file type
const ICONS = [
  [/\.(csv|tsv|parquet|pq|arrow|feather|orc|xlsx?|avro)$/i, "fa-table"],
  [/\.(png|jpe?g|gif|bmp|svg|webp|tiff?)$/i, "fa-file-image-o"],
  [/\.(zip|gz|tgz|bz2|xz|zst|tar|7z)$/i, "fa-file-archive-o"],
  [/\.(json|jsonl|ndjson|ya?ml|toml|xml|py|js|ts|sql|sh|ipynb|html?)$/i, "fa-file-code-o"],
  [/\.(txt|md|log|rst)$/i, "fa-file-text-o"],
  [/\.pdf$/i, "fa-file-pdf-o"],
  [/\.(mp4|mov|mkv|webm|avi)$/i, "fa-file-video-o"],
  [/\.(mp3|wav|flac|ogg)$/i, "fa-file-audio-o"],
];
function iconOf(r) {
  if (r.is_dir) return "fa-folder";
  for (const [re, icon] of ICONS) if (re.test(r.name)) return icon;
  return "fa-file-o";
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

  // Python holds every row; this view holds `window` (rows from `window_start`) only
  const count = () => model.get("count") || 0;
  const rowAt = (i) => {
    const w = model.get("window") || [];
    const k = i - (model.get("window_start") || 0);
    return k >= 0 && k < w.length ? w[k] : null;
  };
  const selected = () => new Set(model.get("selected") || []);
  function ensureWindow(first, last) {
    const start = model.get("window_start") || 0;
    const size = (model.get("window") || []).length;
    if (first >= start && (last <= start + size || start + size >= count())) return;
    model.set("window_start", Math.max(0, first - 50));
    model.save_changes();
  }

  function setSelected(urls) {
    model.set("selected", urls);
    model.save_changes();
  }
  function activate(i) {
    const r = rowAt(i);
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
    const total = count();
    const sel = selected();
    spacer.style.height = total * ROW + "px";
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 5);
    const last = Math.min(total, first + Math.ceil((scroller.clientHeight || 400) / ROW) + 10);
    spacer.replaceChildren();
    for (let i = first; i < last; i++) {
      const r = rowAt(i);
      if (!r) {
        const ph = el("div", "dumont-row dumont-placeholder", "…");
        ph.style.top = i * ROW + "px";
        spacer.appendChild(ph);
        continue;
      }
      const row = el("div", "dumont-row dumont-item" + (r.is_dir ? " dumont-dir" : ""));
      row.style.top = i * ROW + "px";
      row.dataset.index = String(i);
      row.dataset.url = r.url;
      if (sel.has(r.url)) row.classList.add("dumont-selected");
      if (i === focus) row.classList.add("dumont-focus");
      const name = el("div", "dumont-cell dumont-col-name");
      // Font Awesome ships with Jupyter's widget manager; without it the icon is just empty
      name.append(el("i", "dumont-icon fa " + iconOf(r)), el("span", "dumont-name", r.name));
      row.append(
        name,
        el("div", "dumont-cell dumont-col-size", r.is_dir ? "" : r.size_h),
        el("div", "dumont-cell dumont-col-mtime", r.mtime),
      );
      row.addEventListener("click", (ev) => select(i, ev));
      row.addEventListener("dblclick", () => activate(i));
      row.addEventListener("contextmenu", (ev) => {
        ev.preventDefault();
        if (!selected().has(r.url)) select(i, null);
        openMenu(ev.clientX, ev.clientY);
      });
      spacer.appendChild(row);
    }
    ensureWindow(first, last);
    footer.textContent = model.get("loading") ? "loading…" : footerText(total);
  }

  function footerText(shown) {
    const n = (x) => x.toLocaleString("en-US");
    const all = model.get("total"), more = model.get("more"), note = model.get("note");
    let text = n(shown) + (shown === 1 ? " item" : " items");
    if (more) {
      text += all >= 0 ? " of " + n(all) : " loaded (counting: " + n(model.get("counted")) + " so far)";
      text += " · scroll down or press End for more";
    }
    const sel = model.get("selection_note");
    return [text, sel, note, saving].filter((x) => x).join(" · ");
  }

  // -- commands: the right-click menu and keyboard shortcuts run the action bar's actions
  function command(name) {
    closeMenu();
    model.set("command", name);
    model.set("command_serial", (model.get("command_serial") || 0) + 1);
    model.save_changes();
  }
  let menu = null;
  function closeMenu() {
    if (menu) { menu.remove(); menu = null; }
  }
  let menuAt = [0, 0];
  function openMenu(x, y) {
    closeMenu();
    menuAt = [x, y];
    menu = el("div", "dumont-menu");
    menu.setAttribute("role", "menu");
    const off = model.get("disabled_actions") || {};
    for (const [name, label] of model.get("menu") || []) {
      const item = el("div", "dumont-menu-item", label);
      item.setAttribute("role", "menuitem");
      item.dataset.command = name;
      if (name in off) {
        item.classList.add("dumont-disabled");
        item.title = off[name];
      } else {
        item.addEventListener("click", (ev) => { ev.stopPropagation(); command(name); });
      }
      menu.appendChild(item);
    }
    const box = root.getBoundingClientRect();
    menu.style.left = x - box.left + "px";
    menu.style.top = y - box.top + "px";
    root.appendChild(menu);
  }
  document.addEventListener("mousedown", (ev) => { if (menu && !menu.contains(ev.target)) closeMenu(); });

  // -- "Download to this computer": chunks arrive one at a time, each acknowledged
  let saving = "";
  const saves = {};
  model.on("msg:custom", (msg, buffers) => {
    const t = saves[msg.id];
    if (msg.type === "save-start") {
      saves[msg.id] = { name: msg.name, parts: [], size: msg.size };
      saving = "downloading " + msg.name + " 0%";
      model.send({ type: "save-ack", id: msg.id });
    } else if (msg.type === "save-chunk" && t) {
      t.parts.push(buffers[0].buffer ? new Uint8Array(buffers[0].buffer, buffers[0].byteOffset, buffers[0].byteLength) : buffers[0]);
      saving = "downloading " + t.name + " " + (t.size ? Math.floor((100 * msg.sent) / t.size) : 100) + "%";
      model.send({ type: "save-ack", id: msg.id });
    } else if (msg.type === "save-end" && t) {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob(t.parts));
      a.download = t.name;
      document.body.appendChild(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 60000);
      delete saves[msg.id];
      saving = "";
    } else if (msg.type === "save-error") {
      delete saves[msg.id];
      saving = "download failed: " + msg.message;
    }
    drawRows();
  });

  function select(i, ev) {
    const r = rowAt(i);
    if (!r) return;
    focus = i;
    if (ev && ev.shiftKey) {
      const [a, b] = anchor < i ? [anchor, i] : [i, anchor];
      const urls = [];
      for (let k = a; k <= b; k++) { const x = rowAt(k); if (x) urls.push(x.url); }
      setSelected(urls);
    } else if (ev && (ev.ctrlKey || ev.metaKey)) {
      const sel = selected();
      if (sel.has(r.url)) sel.delete(r.url); else sel.add(r.url);
      anchor = i;
      setSelected([...sel]);
    } else {
      anchor = i;
      setSelected([r.url]);
    }
    scroller.focus();
    drawRows();
  }

  scroller.addEventListener("keydown", (ev) => {
    const n = count();
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
    } else if (ev.key === "F2") {
      command("rename");
      ev.preventDefault();
    } else if (ev.key === "Delete") {
      command("delete");
      ev.preventDefault();
    } else if ((ev.ctrlKey || ev.metaKey) && (ev.key === "a" || ev.key === "A")) {
      command("select_all");
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      closeMenu();
    } else if (ev.key === "ContextMenu" || (ev.shiftKey && ev.key === "F10")) {
      const row = spacer.querySelector(".dumont-focus");
      const box = (row || scroller).getBoundingClientRect();
      openMenu(box.left + 24, box.top + ROW);
      ev.preventDefault();
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

  model.on("change:generation", () => { focus = 0; anchor = 0; scroller.scrollTop = 0; drawRows(); });
  model.on("change:window", drawRows);
  model.on("change:count", drawRows);
  model.on("change:selected", drawRows);
  model.on("change:more", drawRows);
  model.on("change:loading", drawRows);
  model.on("change:total", drawRows);
  model.on("change:counted", drawRows);
  model.on("change:note", drawRows);
  model.on("change:selection_note", drawRows);
  // a right click selects first: the enabled entries follow once Python has seen the selection
  model.on("change:disabled_actions", () => { if (menu) openMenu(menuAt[0], menuAt[1]); });
  model.on("change:sort_by", drawHeader);
  model.on("change:sort_desc", drawHeader);
  model.on("change:unsortable", drawHeader);
  model.on("change:clipboard_serial", copyToClipboard);
  drawHeader();
  drawRows();
  requestAnimationFrame(drawRows);
}

export default { render };
