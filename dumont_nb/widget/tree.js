// dumont_nb folder tree: a lazy tree (anywidget ES module). Nodes come from Python; the twisty
// (▸/▾) expands a folder without visiting it (Python lists its sub-folders once), the label
// opens it. Labels are text (textContent), never HTML.
function render({ model, el: root }) {
  root.classList.add("dumont-tree");
  function send(name, value) {
    model.set(name, value);
    if (name === "toggle") model.set("toggle_serial", (model.get("toggle_serial") || 0) + 1);
    model.save_changes();
  }
  function draw() {
    root.replaceChildren();
    for (const n of model.get("nodes") || []) {
      const row = el("div", "dumont-tree-node" + (n.current ? " dumont-tree-current" : ""));
      row.style.paddingLeft = 4 + 14 * n.depth + "px";
      row.dataset.url = n.url;
      const twisty = el("span", "dumont-tree-twisty", n.leaf ? "" : n.loading ? "…" : n.open ? "▾" : "▸");
      if (!n.leaf) twisty.addEventListener("click", (ev) => { ev.stopPropagation(); send("toggle", n.url); });
      const label = el("span", "dumont-tree-label", n.label);
      label.title = n.url;
      row.append(twisty, label);
      row.addEventListener("click", () => send("value", n.url));
      root.appendChild(row);
    }
  }
  model.on("change:nodes", draw);
  draw();
}

export default { render };
