// Activity summary: a small bar chart of each table's daily totals, drawn from the table itself
// (which stays the text alternative). The page is complete without this script.
(function () {
  var svgNs = 'http://www.w3.org/2000/svg';
  var tables = document.querySelectorAll('table.activity');
  Array.prototype.forEach.call(tables, function (table) {
    var foot = table.querySelector('tfoot tr');
    var heads = table.querySelectorAll('thead th');
    if (!foot) { return; }
    var cells = foot.querySelectorAll('td');
    var values = [];
    for (var i = 0; i < cells.length - 1; i++) { // the last column is the week's total
      values.push(parseInt(cells[i].textContent, 10) || 0);
    }
    var max = Math.max.apply(null, values.concat([1]));
    var w = 36, h = 60;
    var svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('width', String(values.length * w));
    svg.setAttribute('height', String(h + 16));
    svg.setAttribute('role', 'img');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('aria-label', table.getAttribute('data-label') || '');
    values.forEach(function (v, i) {
      var bar = document.createElementNS(svgNs, 'rect');
      var bh = Math.round(v * h / max);
      bar.setAttribute('x', String(i * w + 4));
      bar.setAttribute('y', String(h - bh));
      bar.setAttribute('width', String(w - 8));
      bar.setAttribute('height', String(bh));
      bar.setAttribute('fill', table.getAttribute('data-chart') === 'blocked' ? '#9b1c1c' : '#0b4f8a');
      var title = document.createElementNS(svgNs, 'title');
      title.textContent = (heads[i + 1] ? heads[i + 1].textContent : '') + ': ' + v;
      bar.appendChild(title);
      svg.appendChild(bar);
      var label = document.createElementNS(svgNs, 'text');
      label.setAttribute('x', String(i * w + w / 2));
      label.setAttribute('y', String(h + 13));
      label.setAttribute('text-anchor', 'middle');
      label.setAttribute('font-size', '11');
      label.setAttribute('fill', '#1b1b1b');
      label.textContent = String(v);
      svg.appendChild(label);
    });
    table.parentNode.insertBefore(svg, table.nextSibling);
  });
})();
