// The week grid of a profile form: drag across it (or use the arrow keys and Enter at the first
// and at the last hour) to fill in the bedtime or homework days and times below it. The form's
// fields stay what is submitted, and the server checks them; the grid redraws from the fields
// whenever they change. Without this script the grid is a read-only table and the fields work
// as they are.
(function () {
  var DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  var count = 0;

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function format(pattern, args) {
    return pattern.replace(/\{(\d)\}/g, function (m, i) { return args[+i]; });
  }

  function minutes(text) {
    var m = /^(\d{1,2}):(\d{2})/.exec(text || '');
    return m ? (+m[1]) * 60 + (+m[2]) : null;
  }

  function enhance(week) {
    var form = week.closest('form');
    var table = week.querySelector('table.week-grid');
    if (!form || !table || !form.querySelector('[name=bedtime_from]')) { return; }
    var n = ++count;
    var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr'));
    var cells = rows.map(function (r) {
      return Array.prototype.slice.call(r.querySelectorAll('td'));
    });

    // Which schedule the grid sets.
    var pick = document.createElement('fieldset');
    pick.className = 'grid-pick';
    var legend = document.createElement('legend');
    legend.textContent = week.getAttribute('data-pick');
    pick.appendChild(legend);
    ['bedtime', 'homework'].forEach(function (kind, i) {
      var id = 'grid-' + n + '-' + kind;
      var input = document.createElement('input');
      input.type = 'radio';
      input.name = 'grid-target-' + n;
      input.value = kind;
      input.id = id;
      input.checked = i === 0;
      input.setAttribute('form', 'grid-only-' + n); // a control of the grid, never submitted
      var label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = week.getAttribute('data-' + kind);
      var span = document.createElement('span');
      span.appendChild(input);
      span.appendChild(document.createTextNode(' '));
      span.appendChild(label);
      pick.appendChild(span);
    });
    var help = document.createElement('p');
    help.className = 'hint';
    help.id = 'grid-help-' + n;
    help.textContent = week.getAttribute('data-help');
    var status = document.createElement('p');
    status.className = 'grid-status';
    status.setAttribute('role', 'status');
    table.parentNode.insertBefore(pick, table);
    table.parentNode.insertBefore(help, table);
    table.parentNode.insertBefore(status, table.nextSibling);

    table.setAttribute('role', 'grid');
    table.setAttribute('aria-describedby', help.id);
    cells.forEach(function (row) {
      row.forEach(function (td) { td.tabIndex = -1; td.setAttribute('aria-selected', 'false'); });
    });
    cells[0][0].tabIndex = 0;

    function target() {
      var r = pick.querySelector('input:checked');
      return r ? r.value : 'bedtime';
    }

    function pos(td) {
      var tr = td.parentNode;
      return { d: rows.indexOf(tr), h: cells[rows.indexOf(tr)].indexOf(td) };
    }

    var anchor = null;
    var dragging = false;

    function select(a, b) {
      var d1 = Math.min(a.d, b.d), d2 = Math.max(a.d, b.d);
      cells.forEach(function (row, d) {
        row.forEach(function (td, h) {
          var inDays = d >= d1 && d <= d2;
          var inHours = a.h <= b.h ? h >= a.h && h <= b.h : h >= a.h || h <= b.h;
          var on = !!(b && inDays && inHours);
          td.classList.toggle('sel', on);
          td.setAttribute('aria-selected', on ? 'true' : 'false');
        });
      });
    }

    function clearSelection() {
      cells.forEach(function (row) {
        row.forEach(function (td) {
          td.classList.remove('sel');
          td.setAttribute('aria-selected', 'false');
        });
      });
    }

    function field(kind, name) { return form.querySelector('[name=' + kind + '_' + name + ']'); }

    // Fills the fields from a selection: the days it spans, from its first hour to the end of
    // its last (an end hour before the start runs past midnight).
    function apply(a, b) {
      var kind = target();
      var d1 = Math.min(a.d, b.d), d2 = Math.max(a.d, b.d);
      var from = a.h * 60;
      var to = ((b.h + 1) % 24) * 60;
      if (to === from) { to = (from + 1439) % 1440; } // a whole day: up to a minute before
      var names = [];
      Array.prototype.forEach.call(form.querySelectorAll('input[name=' + kind + '_days]'),
        function (box) {
          var i = DAYS.indexOf(box.value);
          box.checked = i >= d1 && i <= d2;
          if (box.checked && box.labels && box.labels[0]) { names.push(box.labels[0].textContent); }
          box.dispatchEvent(new Event('change', { bubbles: true }));
        });
      var fromText = pad(Math.floor(from / 60)) + ':' + pad(from % 60);
      var toText = pad(Math.floor(to / 60)) + ':' + pad(to % 60);
      field(kind, 'from').value = fromText;
      field(kind, 'to').value = toText;
      field(kind, 'from').dispatchEvent(new Event('change', { bubbles: true }));
      field(kind, 'to').dispatchEvent(new Event('change', { bubbles: true }));
      status.textContent = format(week.getAttribute('data-set'),
        [week.getAttribute('data-' + kind), names.join(', '), fromText, toText]);
    }

    // Redraws one schedule's marks from its fields, so the grid always shows the form.
    function redraw(kind) {
      var days = Array.prototype.filter.call(
        form.querySelectorAll('input[name=' + kind + '_days]'), function (b) { return b.checked; })
        .map(function (b) { return DAYS.indexOf(b.value); });
      var from = minutes(field(kind, 'from').value);
      var to = minutes(field(kind, 'to').value);
      var on = [];
      if (from !== null && to !== null && from !== to) {
        var length = to > from ? to - from : 1440 - from + to;
        days.forEach(function (d) {
          var start = d * 1440 + from;
          for (var h = Math.floor(start / 60); h <= Math.floor((start + length - 1) / 60); h++) {
            on[h % 168] = true;
          }
        });
      }
      var mark = week.getAttribute('data-mark-' + kind);
      cells.forEach(function (row, d) {
        row.forEach(function (td, h) {
          var old = td.querySelector('.m-' + kind);
          if (old) { old.parentNode.removeChild(old); }
          if (on[d * 24 + h]) {
            var span = document.createElement('span');
            span.className = 'm m-' + kind;
            span.textContent = mark;
            td.appendChild(span);
          }
          td.classList.toggle('on', !!td.querySelector('.m'));
        });
      });
    }

    ['bedtime', 'homework'].forEach(function (kind) {
      form.addEventListener('change', function (e) {
        if (e.target.name && e.target.name.indexOf(kind + '_') === 0) { redraw(kind); }
      });
      form.addEventListener('input', function (e) {
        if (e.target.name && e.target.name.indexOf(kind + '_') === 0) { redraw(kind); }
      });
    });

    table.addEventListener('pointerdown', function (e) {
      var td = e.target.closest('td');
      if (!td || e.button !== 0) { return; }
      e.preventDefault();
      anchor = pos(td);
      dragging = true;
      td.focus();
      select(anchor, anchor);
    });
    table.addEventListener('pointermove', function (e) {
      if (!dragging) { return; }
      var el = document.elementFromPoint(e.clientX, e.clientY);
      var td = el && el.closest ? el.closest('td') : null;
      if (td && table.contains(td)) { select(anchor, pos(td)); }
    });
    document.addEventListener('pointerup', function (e) {
      if (!dragging) { return; }
      dragging = false;
      var el = document.elementFromPoint(e.clientX, e.clientY);
      var td = el && el.closest ? el.closest('td') : null;
      var end = td && table.contains(td) ? pos(td) : anchor;
      select(anchor, end);
      apply(anchor, end);
      anchor = null;
    });

    table.addEventListener('keydown', function (e) {
      var td = e.target.closest('td');
      if (!td) { return; }
      var p = pos(td);
      var next = null;
      switch (e.key) {
        case 'ArrowLeft': next = { d: p.d, h: Math.max(0, p.h - 1) }; break;
        case 'ArrowRight': next = { d: p.d, h: Math.min(23, p.h + 1) }; break;
        case 'ArrowUp': next = { d: Math.max(0, p.d - 1), h: p.h }; break;
        case 'ArrowDown': next = { d: Math.min(6, p.d + 1), h: p.h }; break;
        case 'Home': next = { d: p.d, h: 0 }; break;
        case 'End': next = { d: p.d, h: 23 }; break;
        case 'Enter':
        case ' ':
          e.preventDefault();
          if (!anchor) {
            anchor = p;
            select(p, p);
            status.textContent = format(week.getAttribute('data-start'),
              [rows[p.d].querySelector('th').textContent, pad(p.h)]);
          } else {
            select(anchor, p);
            apply(anchor, p);
            anchor = null;
          }
          return;
        case 'Escape':
          anchor = null;
          clearSelection();
          status.textContent = '';
          return;
        default:
          return;
      }
      e.preventDefault();
      td.tabIndex = -1;
      var to = cells[next.d][next.h];
      to.tabIndex = 0;
      to.focus();
      if (anchor) { select(anchor, next); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('.week'), enhance);
})();
