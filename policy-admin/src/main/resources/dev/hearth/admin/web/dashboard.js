// Live view for the console dashboard: polls the counters every 5 s and shows the rates since
// the last reading with a small sparkline. The page is complete without this script.
(function () {
  var rate = document.getElementById('rate');
  if (!rate || !window.fetch) { return; }
  var last = null;
  var history = [];
  var svgNs = 'http://www.w3.org/2000/svg';
  var svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('width', '240');
  svg.setAttribute('height', '40');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'queries per second, last 5 minutes');
  var line = document.createElementNS(svgNs, 'polyline');
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', '#0b4f8a');
  line.setAttribute('stroke-width', '2');
  svg.appendChild(line);
  rate.parentNode.insertBefore(svg, rate.nextSibling);
  function draw() {
    var max = Math.max.apply(null, history.concat([1]));
    var pts = history.map(function (v, i) {
      return (i * 240 / 59).toFixed(1) + ',' + (38 - v * 36 / max).toFixed(1);
    });
    line.setAttribute('points', pts.join(' '));
  }
  function poll() {
    fetch('/admin/stats.json', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s || s.queries === undefined) { return; }
        var now = Date.now();
        if (last) {
          var secs = (now - last.t) / 1000;
          var qps = (s.queries - last.s.queries) / secs;
          var bps = (s.blocked - last.s.blocked) / secs;
          rate.textContent = qps.toFixed(1) + ' queries/s, ' + bps.toFixed(1) + ' blocked/s';
          history.push(qps);
          if (history.length > 60) { history.shift(); }
          draw();
        }
        last = { t: now, s: s };
      })
      .catch(function () { /* the next poll tries again */ });
  }
  poll();
  setInterval(poll, 5000);
})();
