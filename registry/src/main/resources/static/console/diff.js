// A line diff by longest common subsequence, for comparing two revisions of a spec.

/**
 * The lines of `before` and `after` as one list of {op, text, old, new}: op ' ' (in both), '-'
 * (only before) or '+' (only after); old/new are 1-based line numbers, null where absent.
 * Within a change, removed lines come before the lines added in their place.
 */
export function diffLines(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  // Revisions share most lines: take the common head and tail off, so the table covers the change.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let endA = a.length;
  let endB = b.length;
  while (endA > head && endB > head && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - head;
  const m = endB - head;
  // lcs[i][j]: length of the longest common subsequence of a[head+i..endA) and b[head+j..endB).
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] =
        a[head + i] === b[head + j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const lines = [];
  const same = (i, j) => lines.push({ op: ' ', text: a[i], old: i + 1, new: j + 1 });
  for (let k = 0; k < head; k++) same(k, k);
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[head + i] === b[head + j]) {
      same(head + i, head + j);
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      lines.push({ op: '-', text: a[head + i], old: head + i + 1, new: null });
      i++;
    } else {
      lines.push({ op: '+', text: b[head + j], old: null, new: head + j + 1 });
      j++;
    }
  }
  for (let k = 0; k < a.length - endA; k++) same(endA + k, endB + k);
  return lines;
}

/**
 * The diff cut into what to show: runs of unchanged lines longer than 2 * context are folded to
 * their first and last `context` lines around a {fold: count, lines} marker.
 */
export function foldUnchanged(lines, context = 3) {
  const shown = [];
  let run = [];
  const flush = (atStart, atEnd) => {
    const keepHead = atStart ? 0 : context;
    const keepTail = atEnd ? 0 : context;
    if (run.length > keepHead + keepTail + 1) {
      shown.push(...run.slice(0, keepHead));
      shown.push({ fold: run.length - keepHead - keepTail, lines: run.slice(keepHead, run.length - keepTail) });
      shown.push(...run.slice(run.length - keepTail));
    } else {
      shown.push(...run);
    }
    run = [];
  };
  let seenChange = false;
  for (const line of lines) {
    if (line.op === ' ') {
      run.push(line);
    } else {
      flush(!seenChange, false);
      seenChange = true;
      shown.push(line);
    }
  }
  flush(!seenChange, true);
  return shown;
}
