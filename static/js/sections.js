// The quiz setup's section tree: a section takes in its subsections (the server counts them in),
// so ticking a section ticks the subsections under it, and unticking it unticks them.
for (const tree of document.querySelectorAll(".section-tree")) {
  const rows = Array.from(tree.querySelectorAll("li[data-depth]"));
  tree.addEventListener("change", (event) => {
    const row = event.target.closest("li[data-depth]");
    if (!row) return;
    const depth = Number(row.dataset.depth);
    for (const below of rows.slice(rows.indexOf(row) + 1)) {
      if (Number(below.dataset.depth) <= depth) break;
      below.querySelector("input[type=checkbox]").checked = event.target.checked;
    }
  });
}
