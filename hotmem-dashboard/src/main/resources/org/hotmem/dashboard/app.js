// hotmem dashboard: renders the machine's view (server-sent "state" events) and posts controls.
// Block cells are kept and updated in place (only changed attributes are written), so a guest with
// thousands of blocks stays cheap to redraw.
"use strict";
const $ = (id) => document.getElementById(id);
let view = null;
let selected = null;
const cells = new Map();

function fmtTime(ns) {
  const s = ns / 1e9;
  return s < 60 ? s.toFixed(3) + " s" : Math.floor(s / 60) + " min " + (s % 60).toFixed(1) + " s";
}
function fmtPages(p) { return p.toLocaleString("en"); }
function fmtBytes(b) {
  if (b === 0) return "0 B";
  const u = ["B", "KiB", "MiB", "GiB", "TiB"]; let i = 0;
  while (b >= 1024 && i < u.length - 1 && b % 1024 === 0) { b /= 1024; i++; }
  return b + " " + u[i];
}
function status(text, cls) { const s = $("status"); s.textContent = text; s.className = cls || ""; }

async function control(action, fields) {
  const r = await fetch("/api/control", { method: "POST", headers: { "Content-Type": "application/json" },
                                          body: JSON.stringify(Object.assign({ action }, fields || {})) });
  const a = await r.json();
  if (a.ok) status(action + ": ok", "done");
  else status(action + ": " + (a.errno ? a.errno + " (" + a.error + ")" : a.error) + (a.class ? " [" + a.class + "]" : ""), "error");
  return a;
}

function render(v) {
  view = v;
  if (v.failed) { status("machine failed: " + v.failed, "error"); return; }
  $("kernel").textContent = "Linux " + v.kernel;
  $("now").textContent = fmtTime(v.now_ns);
  $("clock-state").textContent = v.paused ? "paused" : "x" + v.speed;
  renderMap(v);
  renderZones(v);
  renderDevices(v);
  renderList($("workloads"), v.workloads, (w) => w.name + ": " + w.kind + " " + fmtBytes(w.bytes)
      + (w.pinned_pages ? ", " + fmtPages(w.pinned_pages) + " pages pinned" : ""), (w) => ["stop", () => control("stop-workload", { name: w.name })]);
  renderList($("writes"), v.writes, (w) => "echo " + w.value + " > " + w.path + ": " + w.outcome
      + (w.errno ? " " + w.errno : "") + (w.message ? " (" + w.message + ")" : ""),
      (w) => w.outcome === "running" ? ["send SIGINT", () => control("signal", { write: w.id, sig: 2 })] : null,
      (w) => w.outcome);
  renderList($("offlines"), v.offlines, (o) => "memory" + o.block + (o.blocks > 1 ? " (+" + (o.blocks - 1) + ")" : "")
      + ": since " + fmtTime(o.since_ns) + ", " + o.retries + " retries, " + fmtPages(o.migrated) + " pages migrated");
  const tb = $("tasks").tBodies[0];
  tb.replaceChildren(...v.tasks.map((t) => row([t.pid, t.name, t.state, t.holds.join(", "), t.waits || ""])));
  tail($("dmesg"), v.log.join("\n"));
  tail($("qmp-events"), v.events.map((e) => JSON.stringify(e)).join("\n"));
  if (selected !== null) renderBlockPanel();
}

/** Sets a log pane's text and keeps it scrolled to the newest line unless the user scrolled up. */
function tail(pre, text) {
  if (pre.textContent === text) return;
  const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.textContent = text;
  if (atEnd) pre.scrollTop = pre.scrollHeight;
}

function row(values) {
  const tr = document.createElement("tr");
  for (const x of values) { const td = document.createElement("td"); td.textContent = x; tr.append(td); }
  return tr;
}

function renderList(ul, items, text, button, cls) {
  ul.replaceChildren(...items.map((it) => {
    const li = document.createElement("li");
    li.textContent = text(it) + " ";
    if (cls) li.className = cls(it);
    const b = button && button(it);
    if (b) { const btn = document.createElement("button"); btn.textContent = b[0]; btn.onclick = b[1]; li.append(btn); }
    return li;
  }));
}

function holdsOf(v, b) {
  const h = {};
  v.holds.forEach((name, i) => { h[name] = b[4 + i]; });
  return h;
}

function renderMap(v) {
  const map = $("map");
  const seen = new Set();
  let added = false;
  for (const b of v.blocks) {
    const [id, state, zone, nid] = b;
    seen.add(id);
    let c = cells.get(id);
    if (!c) {
      c = document.createElement("span");
      c.id = "block-" + id;
      c.textContent = id;
      c.onclick = () => { selected = id; renderBlockPanel(); };
      cells.set(id, c);
      added = true;
    }
    const h = holdsOf(v, b);
    const cls = "blk " + (state === "online" ? "zone-" + zone : "state-" + state)
        + (h.pinned > 0 ? " has-pinned" : "") + (h.kernel > 0 ? " has-kernel" : "") + (id === selected ? " selected" : "");
    if (c.className !== cls) c.className = cls;
    if (c.dataset.state !== state) c.dataset.state = state;
    if (c.dataset.zone !== zone) c.dataset.zone = zone;
    const title = "memory" + id + " node" + nid + " " + state + (zone ? " " + zone : "");
    if (c.title !== title) { c.title = title; c.dataset.node = nid; }
  }
  for (const [id, c] of cells) if (!seen.has(id)) { c.remove(); cells.delete(id); }
  // the server lists blocks in id order: re-attach the cells in that order once, when some appeared
  if (added) map.replaceChildren(...v.blocks.map((b) => cells.get(b[0])));
  $("block-count").textContent = v.blocks.length + " blocks";
}

function renderBlockPanel() {
  const b = view.blocks.find((x) => x[0] === selected);
  const panel = $("block-panel");
  if (!b) { panel.hidden = true; return; }
  panel.hidden = false;
  $("block-title").textContent = "memory" + b[0] + " (node " + b[3] + "): " + b[1] + (b[2] ? ", zone " + b[2] : "");
  const h = holdsOf(view, b);
  $("block-holds").replaceChildren(row(view.holds), row(view.holds.map((n) => fmtPages(h[n]))));
  for (const c of cells.values()) c.classList.toggle("selected", Number(c.textContent) === selected);
}

function renderZones(v) {
  const rows = [];
  for (const n of v.nodes) for (const z of n.zones)
    rows.push(row([n.nid, z.name, "0x" + z.start_pfn.toString(16), fmtPages(z.spanned), fmtPages(z.present), fmtPages(z.managed), fmtPages(z.free)]));
  $("zones").tBodies[0].replaceChildren(...rows);
}

function renderDevices(v) {
  const devs = (v.devices || []).map((d) => Object.assign({ type: d.type }, d.data));
  renderList($("devices"), devs, (d) => d.type + " " + d.id + ": " + fmtBytes(d.size)
      + (d["max-size"] !== undefined ? " of " + fmtBytes(d["max-size"]) : "")
      + " at 0x" + (d.addr !== undefined ? d.addr : d.memaddr).toString(16) + ", node " + d.node
      + (d["requested-size"] !== undefined ? ", requested " + fmtBytes(d["requested-size"]) : ""),
      (d) => d.type === "dimm" ? ["unplug", () => control("unplug", { id: d.id })] : null);
  $("balloon-form").hidden = !v.balloon;
  if (v.balloon) $("balloon-actual").textContent = "actual " + fmtBytes(v.balloon.actual);
  const vm = devs.filter((d) => d.type === "virtio-mem");
  $("vmem-form").hidden = vm.length === 0;
  const sel = $("vmem-id");
  if (sel.options.length !== vm.length) sel.replaceChildren(...vm.map((d) => new Option(d.id, d.id)));
}

$("block-actions").addEventListener("click", (e) => {
  const value = e.target.dataset.value;
  if (value && selected !== null) control("state", { block: selected, value });
});
$("plug-form").onsubmit = (e) => {
  e.preventDefault();
  const f = { size: $("plug-size").value };
  if ($("plug-node").value !== "") f.node = Number($("plug-node").value);
  control("plug", f);
};
$("workload-form").onsubmit = (e) => {
  e.preventDefault();
  control("workload", { kind: $("workload-kind").value, size: $("workload-size").value, node: Number($("workload-node").value) });
};
$("balloon-form").onsubmit = (e) => { e.preventDefault(); control("balloon", { size: $("balloon-size").value }); };
$("vmem-form").onsubmit = (e) => { e.preventDefault(); control("virtio-mem", { id: $("vmem-id").value, size: $("vmem-size").value }); };
$("pause").onclick = () => control("pause");
$("resume").onclick = () => control("resume");
$("step").onclick = () => control("step", { ms: 1000 });
$("speed").onchange = () => control("speed", { x: Number($("speed").value) });

/** The last updates' latency and view-building time (ms), for people (the header) and the latency benchmark. */
const updates = [];
window.hotmemUpdates = updates;

function connect() {
  const es = new EventSource("/api/events");
  es.addEventListener("state", (e) => {
    $("conn").textContent = "live";
    const v = JSON.parse(e.data);
    render(v);
    // update latency: from the server taking the view to the page showing it (same host clock)
    const ms = Date.now() - v.built_at_ms;
    updates.push({ ms, build: v.build_ms });
    if (updates.length > 1000) updates.shift();
    $("latency").textContent = "view " + v.build_ms + " ms, update " + ms + " ms";
  });
  es.onerror = () => { $("conn").textContent = "reconnecting"; };
}
connect();

// ---- replay of a recorded run (the JSON report of `hotmem run --json`) ----
let replay = null;
let playing = null;

function openReplay(report, name) {
  replay = report;
  $("replay-name").textContent = name + ": " + report.scenario + ", seed " + report.seed + ", " + report.samples.length + " samples";
  const s = $("replay-slider");
  s.max = Math.max(0, report.samples.length - 1);
  s.value = 0;
  $("replay").hidden = false;
  showSample(0);
}

function showSample(i) {
  const smp = replay.samples[i];
  if (!smp) return;
  $("replay-time").textContent = fmtTime(smp.t_ns);
  const zones = { N: "Normal", M: "Movable", D: "DMA32", o: null };
  $("replay-map").replaceChildren(...[...smp.map].map((ch, id) => {
    const c = document.createElement("span");
    c.textContent = id;
    c.className = "blk " + (ch === "." ? "state-absent" : ch === "o" ? "state-offline" : "zone-" + (zones[ch] || "x"));
    c.dataset.state = ch === "." ? "absent" : ch === "o" ? "offline" : "online";
    if (ch === ".") c.hidden = true;
    return c;
  }));
  tail($("replay-events"), replay.timeline.filter((e) => e.t_ns <= smp.t_ns)
      .map((e) => fmtTime(e.t_ns) + "  " + e.source + ": " + e.what + (e.outcome ? " -> " + e.outcome : "")).join("\n"));
}

$("replay-slider").oninput = (e) => showSample(Number(e.target.value));
$("replay-play").onclick = () => {
  if (playing) { clearInterval(playing); playing = null; $("replay-play").textContent = "play"; return; }
  $("replay-play").textContent = "stop";
  playing = setInterval(() => {
    const s = $("replay-slider");
    if (Number(s.value) >= Number(s.max)) { clearInterval(playing); playing = null; $("replay-play").textContent = "play"; return; }
    s.value = Number(s.value) + 1;
    showSample(Number(s.value));
  }, 200);
};
$("replay-file").onchange = async (e) => {
  const f = e.target.files[0];
  if (f) openReplay(JSON.parse(await f.text()), f.name);
};
fetch("/api/replay").then((r) => r.ok ? r.json() : null).then((r) => { if (r) openReplay(r, "given run"); });
