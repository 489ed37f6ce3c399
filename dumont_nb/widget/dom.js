// dumont_nb widgets' shared DOM helper, prepended to each view's module (widget/listing.py: esm).
// Text goes in as textContent, never innerHTML, so store-provided names cannot inject markup.
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

