/* zcmask web page. Plain JS, no libraries, nothing loaded from the internet.
 * Talks to the local zcmask server (/api/...). Long work runs as server jobs the
 * page polls, so the page never freezes. */
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
const KIND_ZH = { name: "姓名", unit: "单位", seal: "公章", eyes: "眼睛", manual: "手工", signature: "签名", id_number: "身份证号" };
const SEV_ZH = { error: "错误", warning: "警告", info: "提示" };
const FIXED_BY_OUTPUT = new Set(["not_jpg", "rotated", "exif_rotated", "mirrored_page"]);

let SID = null;
let INFO = null;
let jobRunning = false;
const cards = new Map(); // page id -> card state

// ------------------------------------------------------------------ helpers

function withToken(url) {
  return TOKEN ? url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN) : url;
}

async function api(method, url, body, isForm) {
  const headers = {};
  if (TOKEN) headers["X-Zcmask-Token"] = TOKEN;
  const opts = { method, headers };
  if (body !== undefined) {
    if (isForm) opts.body = body;
    else { headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  }
  let res;
  try { res = await fetch(url, opts); }
  catch (e) { throw new Error("无法连接到 zcmask 服务，请确认命令行窗口中的服务仍在运行。"); }
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const err = new Error((data && data.message) || `请求失败（${res.status}），请重试。`);
    err.status = res.status;
    err.code = data && data.code;
    throw err;
  }
  return data;
}

let toastTimer = null;
function toast(msg, kind) {
  const t = $("toast");
  t.textContent = msg;
  t.className = "toast" + (kind === "info" ? " info" : "");
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, kind === "info" ? 4000 : 9000);
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

const SVGNS = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function setProgress(done, total, text) {
  $("progress").hidden = false;
  $("progress-bar").style.width = total ? `${Math.round((100 * done) / total)}%` : "0";
  $("progress-text").textContent = text;
}

let currentJob = null;

/** Poll a job until it ends; onStep(job) runs whenever ``done`` moves. */
async function waitJob(job, label, onStep) {
  let last = -1;
  currentJob = job;
  $("cancel").hidden = false;
  try {
    for (;;) {
      if (job.done !== last) {
        last = job.done;
        if (onStep) await onStep(job);
      }
      if (job.state === "queued") {
        setProgress(0, 0, `${label}：排队中${job.ahead ? `（前面还有 ${job.ahead} 个任务）` : ""}，可点“取消”。`);
      } else {
        setProgress(job.done, job.total,
          `${label}：${job.done} / ${job.total || "…"}${job.current ? "　" + job.current : ""}`);
      }
      if (job.state === "done" || job.state === "error" || job.state === "cancelled") break;
      await new Promise((r) => setTimeout(r, 300));
      job = await api("GET", `/api/jobs/${job.id}`);
      currentJob = job;
    }
  } finally {
    currentJob = null;
    $("cancel").hidden = true;
  }
  if (onStep) await onStep(job);
  if (job.state === "cancelled") { setProgress(0, 0, `${label}：已取消`); const e = new Error("已取消。"); e.cancelled = true; throw e; }
  if (job.state === "error") throw new Error(job.message || "处理失败，请重试。");
  setProgress(job.total, job.total, `${label}：完成`);
  return job;
}

async function cancelJob() {
  if (!currentJob) return;
  try { await api("POST", `/api/jobs/${currentJob.id}/cancel`); }
  catch (e) { toast(e.message); }
}

async function runJob(fn) {
  if (jobRunning) { toast("正在处理，请等当前任务完成。", "info"); return; }
  jobRunning = true;
  $("analyse").disabled = true; $("export").disabled = true;
  try { await fn(); }
  catch (e) { toast(e.message, e.cancelled ? "info" : undefined); }
  finally {
    jobRunning = false;
    $("analyse").disabled = false;
    $("export").disabled = !anyReady();
  }
}

// ------------------------------------------------------------------ session

async function ensureSession() {
  const saved = sessionStorage.getItem("zcmask-sid");
  if (saved) {
    try { const s = await api("GET", `/api/sessions/${saved}`); SID = saved; return s; }
    catch (e) { sessionStorage.removeItem("zcmask-sid"); }
  }
  const s = await api("POST", "/api/sessions");
  SID = s.id;
  sessionStorage.setItem("zcmask-sid", SID);
  return s;
}

function identityFromForm() {
  const split = (s, re) => s.split(re).map((x) => x.trim()).filter(Boolean);
  return {
    name: $("name").value.trim(),
    aliases: split($("aliases").value, /[,，、;；]/),
    units: split($("units").value, /\n/),
  };
}

function renderFiles(files) {
  const ul = $("files");
  ul.replaceChildren();
  for (const f of files) {
    const li = el("li", { class: f.error ? "err" : "" },
      el("span", { class: "n", text: f.name }),
      el("span", { class: "pg", text: f.error ? "未加入" : `${f.pages} 页` }));
    if (f.error) li.append(el("span", { class: "msg", text: f.error.message }));
    else if (f.note) li.append(el("span", { class: "msg note", text: f.note }));
    if (!f.error || f.pages !== undefined) {
      li.append(el("button", { class: "x", title: "移除", text: "×", onclick: () => removeFile(f.name) }));
    }
    ul.append(li);
  }
}

let refused = [];
const notes = {}; // file name -> what happened to it on upload (renamed ...)
async function refresh() {
  const s = await api("GET", `/api/sessions/${SID}`);
  const known = new Set(s.files.map((f) => f.name));
  refused = refused.filter((f) => !known.has(f.name));
  const files = s.files.map((f) => (notes[f.name] ? { ...f, note: notes[f.name] } : f));
  renderFiles([...files, ...refused]);
  renderPages(s.pages);
  return s;
}

async function removeFile(name) {
  const r = refused.findIndex((f) => f.name === name);
  if (r >= 0) { refused.splice(r, 1); await refresh(); return; }
  try { await api("DELETE", `/api/sessions/${SID}/files?name=${encodeURIComponent(name)}`); await refresh(); }
  catch (e) { toast(e.message); }
}

async function clearAll() {
  if (jobRunning) { toast("正在处理，请等当前任务完成。", "info"); return; }
  if (!confirm("清空本次上传的全部文件和修改？（服务器上的临时文件会被删除）")) return;
  try {
    await api("DELETE", `/api/sessions/${SID}`);
    sessionStorage.removeItem("zcmask-sid");
    for (const c of cards.values()) c.el.remove();
    cards.clear();
    refused = [];
    $("findings").replaceChildren();
    $("progress").hidden = true;
    await ensureSession();
    await refresh();
  } catch (e) { toast(e.message); }
}

// ------------------------------------------------------------------ uploads

async function collectDropped(dt) {
  const out = [];
  const entries = [];
  for (const it of dt.items || []) {
    const e = it.webkitGetAsEntry ? it.webkitGetAsEntry() : null;
    if (e) entries.push(e);
  }
  if (!entries.length) {
    for (const f of dt.files || []) out.push({ file: f, path: f.name });
    return out;
  }
  const walk = async (entry, prefix) => {
    if (entry.name.startsWith(".")) return;
    if (entry.isFile) {
      const f = await new Promise((res, rej) => entry.file(res, rej));
      out.push({ file: f, path: prefix + f.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const child of batch) await walk(child, prefix + entry.name + "/");
      }
    }
  };
  for (const e of entries) await walk(e, "");
  return out;
}

async function uploadAll(items) {
  items = items.filter((it) => !it.path.split("/").some((p) => p.startsWith(".")));
  if (!items.length) return;
  const max = INFO ? INFO.limits.max_file_mb * 1048576 : Infinity;
  let done = 0;
  const queue = items.slice();
  const worker = async () => {
    while (queue.length) {
      const it = queue.shift();
      if (it.file.size > max) {
        refused.push({ name: it.path, error: { message: `超过 ${INFO.limits.max_file_mb} MB 上限，请压缩或拆分后再上传。` } });
      } else {
        const fd = new FormData();
        fd.append("files", it.file, it.file.name);
        fd.append("paths", JSON.stringify([it.path]));
        try {
          const r = await api("POST", `/api/sessions/${SID}/files`, fd, true);
          for (const x of r.results) {
            if (x.error) refused.push(x);
            else if (x.note) notes[x.name] = x.note;
          }
        } catch (e) {
          refused.push({ name: it.path, error: { message: e.message } });
        }
      }
      done += 1;
      setProgress(done, items.length, `上传：${done} / ${items.length}　${it.path}`);
    }
  };
  await Promise.all([worker(), worker()]);
  await refresh();
  toast(`已添加 ${items.length} 个文件，点击“开始识别”。`, "info");
}

function setupDrop() {
  const drop = $("drop");
  ["dragenter", "dragover"].forEach((ev) => drop.addEventListener(ev, (e) => {
    e.preventDefault(); drop.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((ev) => drop.addEventListener(ev, () => drop.classList.remove("over")));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    const items = await collectDropped(e.dataTransfer);
    await uploadAll(items);
  });
  // Dropping outside the zone must not navigate away from the page.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
  $("pick-files").addEventListener("change", async (e) => {
    const items = [...e.target.files].map((f) => ({ file: f, path: f.name }));
    e.target.value = "";
    await uploadAll(items);
  });
  $("pick-folder").addEventListener("change", async (e) => {
    const items = [...e.target.files].map((f) => ({ file: f, path: f.webkitRelativePath || f.name }));
    e.target.value = "";
    await uploadAll(items);
  });
}

// ------------------------------------------------------------------ pages

function anyReady() {
  for (const c of cards.values()) if (c.page.analysed && !c.page.error) return true;
  return false;
}

function renderPages(pages) {
  const box = $("pages");
  $("empty").hidden = pages.length > 0;
  const keep = new Set(pages.map((p) => p.id));
  for (const [pid, c] of cards) if (!keep.has(pid)) { c.el.remove(); cards.delete(pid); }
  for (const p of pages) {
    let c = cards.get(p.id);
    if (!c) {
      c = makeCard(p);
      cards.set(p.id, c);
      box.append(c.el);
    }
    if (c.version !== p.version || c.page.analysed !== p.analysed) updateCard(c, p);
    else c.page = p;
  }
  $("export").disabled = jobRunning || !anyReady();
  const n = pages.length;
  const ready = pages.filter((p) => p.analysed && !p.error).length;
  const regions = pages.reduce((a, p) => a + p.regions.length, 0);
  const errs = pages.reduce((a, p) => a + p.issues.filter((i) => i.severity === "error" && !FIXED_BY_OUTPUT.has(i.code)).length, 0);
  const flagged = pages.filter((p) => p.visible && p.visible.length).length;
  $("summary").textContent = n ? `共 ${n} 页，已识别 ${ready} 页，遮盖框 ${regions} 个，需处理的问题 ${errs} 项`
    + (flagged ? `；${flagged} 页删除了识别框（橙色边框），该处不会遮盖。` : "。") : "";
}

function makeCard(p) {
  const c = { page: p, version: -1, selected: null, regions: [], drag: null };
  c.img = el("img", { alt: `${p.file} 第 ${p.index} 页`, draggable: "false" });
  c.tries = 0;
  c.img.addEventListener("load", () => { c.tries = 0; });
  c.img.addEventListener("error", () => {
    // A page being re-analysed may briefly have no preview: try again shortly.
    if (c.tries++ < 5 && c.page.analysed && !c.page.error) {
      setTimeout(() => { c.img.src = withToken(`/api/sessions/${SID}/pages/${c.page.id}/image?v=${c.page.version}&t=${Date.now()}`); }, 400);
    }
  });
  c.svg = svgEl("svg", { class: "overlay", preserveAspectRatio: "none" });
  c.view = el("div", { class: "page-view" }, c.img, c.svg);
  c.title = el("span", { class: "t", text: `${p.file}　第 ${p.index} 页` });
  c.del = el("button", { class: "button small secondary", text: "删除所选框", disabled: "", onclick: () => removeSelected(c) });
  c.tools = el("div", { class: "tools" },
    el("button", { class: "button small secondary", text: "↺ 向左转", title: "逆时针旋转 90°", onclick: () => rotate(c, -90) }),
    el("button", { class: "button small secondary", text: "↻ 向右转", title: "顺时针旋转 90°", onclick: () => rotate(c, 90) }),
    c.del);
  c.chips = el("div", { class: "chips" });
  c.issues = el("ul", { class: "issues" });
  c.el = el("article", { class: "page", "data-pid": String(p.id) },
    el("header", {}, c.title,
      el("button", { class: "button small secondary", text: "放大", onclick: (e) => {
        c.el.classList.toggle("wide"); e.target.textContent = c.el.classList.contains("wide") ? "缩小" : "放大";
      } })),
    c.tools, c.view, c.chips, c.issues);
  setupEditing(c);
  return c;
}

function updateCard(c, p) {
  c.page = p;
  c.version = p.version;
  c.selected = null;
  c.el.classList.toggle("bad", !!p.error);
  if (!p.analysed) {
    c.img.removeAttribute("src");
    c.view.hidden = true;
    c.issues.replaceChildren(el("li", { class: "info", text: "等待识别…" }));
    c.chips.textContent = "";
    return;
  }
  if (p.error) {
    c.view.hidden = true;
    c.chips.textContent = "";
    c.issues.replaceChildren(el("li", { class: "error" }, el("b", { text: "无法处理" }), p.error.message));
    return;
  }
  c.el.classList.toggle("flagged", !!(p.visible && p.visible.length));
  c.view.hidden = false;
  c.img.src = withToken(`/api/sessions/${SID}/pages/${p.id}/image?v=${p.version}`);
  c.svg.setAttribute("viewBox", `0 0 ${p.width} ${p.height}`);
  c.regions = p.regions.map((r) => ({ ...r, bbox: r.bbox.slice() }));
  drawRegions(c);
  renderIssues(c);
}

function renderIssues(c) {
  const p = c.page;
  const list = [];
  const rot = p.orientation && p.orientation.source === "manual" ? "（已手工指定方向）" : "";
  for (const i of p.issues) {
    const msg = i.message;
    const fixed = FIXED_BY_OUTPUT.has(i.code);
    list.push(el("li", { class: fixed ? "info" : i.severity, "data-code": i.code },
      el("b", { text: `[${fixed ? "已自动处理" : SEV_ZH[i.severity] || i.severity}] ${i.code}` }), msg));
  }
  if (!list.length) list.push(el("li", { class: "ok", text: "格式、方向、清晰度均无问题" + rot }));
  c.el.classList.toggle("flagged", !!(p.visible && p.visible.length));
  c.issues.replaceChildren(...list);
  const counts = {};
  for (const r of c.regions) counts[r.kind] = (counts[r.kind] || 0) + 1;
  const chips = Object.entries(counts).map(([k, n]) => el("span", { class: `chip ${k}`, text: `${KIND_ZH[k] || k} ${n}` }));
  const removed = p.removed.length ? `　已手工删除识别框 ${p.removed.length} 个` : "";
  c.chips.replaceChildren(...(chips.length ? chips : [document.createTextNode("未发现需遮盖的内容")]),
    document.createTextNode(`　方向 ${p.rotation}°　清晰度 ${p.legibility.score}${removed}`));
}

function drawRegions(c) {
  const svg = c.svg;
  svg.replaceChildren();
  const p = c.page;
  const hs = Math.max(p.width, p.height) / 90; // handle size in image pixels
  for (const r of c.regions) {
    const [x0, y0, x1, y1] = r.bbox;
    const rect = svgEl("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0,
      class: `r ${r.kind} src-${r.source}${c.selected === r.id ? " sel" : ""}`, "data-id": r.id, "data-kind": r.kind });
    rect.append(svgEl("title", {}));
    rect.firstChild.textContent = `${KIND_ZH[r.kind] || r.kind}${r.text ? "：" + r.text : ""}（${r.source}）`;
    svg.append(rect);
  }
  const sel = c.regions.find((r) => r.id === c.selected);
  if (sel) {
    const [x0, y0, x1, y1] = sel.bbox;
    for (const [name, x, y] of [["nw", x0, y0], ["ne", x1, y0], ["sw", x0, y1], ["se", x1, y1]]) {
      svg.append(svgEl("rect", { class: `h ${name}`, "data-h": name, x: x - hs / 2, y: y - hs / 2, width: hs, height: hs }));
    }
  }
  c.del.disabled = !sel;
}

function toImage(c, ev) {
  const b = c.svg.getBoundingClientRect();
  const p = c.page;
  const x = ((ev.clientX - b.left) / b.width) * p.width;
  const y = ((ev.clientY - b.top) / b.height) * p.height;
  return [Math.max(0, Math.min(p.width, x)), Math.max(0, Math.min(p.height, y))];
}

function setupEditing(c) {
  const svg = c.svg;
  svg.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    ev.preventDefault();
    const [x, y] = toImage(c, ev);
    const t = ev.target;
    if (t.dataset && t.dataset.h) {
      c.drag = { mode: "resize", corner: t.dataset.h, start: [x, y], moved: false };
    } else if (t.dataset && t.dataset.id) {
      c.selected = t.dataset.id;
      const r = c.regions.find((q) => q.id === c.selected);
      c.drag = { mode: "move", start: [x, y], orig: r.bbox.slice(), moved: false };
      drawRegions(c);
    } else {
      c.selected = null;
      drawRegions(c);
      const d = svgEl("rect", { class: "draft", x, y, width: 0, height: 0 });
      svg.append(d);
      c.drag = { mode: "draw", start: [x, y], draft: d };
    }
    svg.setPointerCapture(ev.pointerId);
    selectCard(c);
  });
  svg.addEventListener("pointermove", (ev) => {
    const d = c.drag;
    if (!d) return;
    const [x, y] = toImage(c, ev);
    if (d.mode === "draw") {
      const [sx, sy] = d.start;
      d.draft.setAttribute("x", Math.min(sx, x)); d.draft.setAttribute("y", Math.min(sy, y));
      d.draft.setAttribute("width", Math.abs(x - sx)); d.draft.setAttribute("height", Math.abs(y - sy));
      d.end = [x, y];
      return;
    }
    const r = c.regions.find((q) => q.id === c.selected);
    if (!r) return;
    d.moved = true;
    if (d.mode === "move") {
      const dx = x - d.start[0], dy = y - d.start[1];
      const [x0, y0, x1, y1] = d.orig;
      const w = x1 - x0, h = y1 - y0;
      const nx = Math.max(0, Math.min(c.page.width - w, x0 + dx));
      const ny = Math.max(0, Math.min(c.page.height - h, y0 + dy));
      r.bbox = [nx, ny, nx + w, ny + h];
    } else {
      let [x0, y0, x1, y1] = r.bbox;
      if (d.corner.includes("w")) x0 = x; else x1 = x;
      if (d.corner.includes("n")) y0 = y; else y1 = y;
      r.bbox = [x0, y0, x1, y1];
    }
    drawRegions(c);
  });
  const finish = async (ev) => {
    const d = c.drag;
    c.drag = null;
    if (!d) return;
    if (d.mode === "draw") {
      d.draft.remove();
      if (!d.end) return;
      const [sx, sy] = d.start, [ex, ey] = d.end;
      const b = c.svg.getBoundingClientRect();
      const minW = (6 * c.page.width) / b.width;
      if (Math.abs(ex - sx) < minW || Math.abs(ey - sy) < minW) return;
      const id = "m" + Date.now().toString(36) + Math.floor(Math.random() * 1e4);
      c.regions.push({ id, kind: "manual", source: "manual",
        bbox: [Math.min(sx, ex), Math.min(sy, ey), Math.max(sx, ex), Math.max(sy, ey)] });
      c.selected = id;
      await saveRegions(c);
    } else if (d.moved) {
      const r = c.regions.find((q) => q.id === c.selected);
      if (r) {
        const [a, b2, e, f] = r.bbox;
        r.bbox = [Math.min(a, e), Math.min(b2, f), Math.max(a, e), Math.max(b2, f)];
      }
      await saveRegions(c);
    }
  };
  svg.addEventListener("pointerup", finish);
  svg.addEventListener("pointercancel", finish);
}

let activeCard = null;
function selectCard(c) { activeCard = c; }

async function saveRegions(c) {
  try {
    const body = { regions: c.regions.map((r) => ({ id: r.id, kind: r.kind, bbox: r.bbox.map(Math.round) })) };
    const url = `/api/sessions/${SID}/pages/${c.page.id}/regions`;
    let p;
    try { p = await api("PUT", url, body); }
    catch (e) {
      if (e.code !== "confirm_needed") throw e;
      if (!confirm(e.message)) { // keep the detected box: show the page as the server has it
        c.regions = c.page.regions.map((r) => ({ ...r, bbox: r.bbox.slice() }));
        drawRegions(c);
        return;
      }
      p = await api("PUT", url, { ...body, confirm_removal: true });
    }
    const sel = c.selected;
    c.page = p;
    c.regions = p.regions.map((r) => ({ ...r, bbox: r.bbox.slice() }));
    c.selected = c.regions.some((r) => r.id === sel) ? sel : null;
    drawRegions(c);
    renderIssues(c);
    c.el.dataset.saved = String(Date.now());
    const s = await api("GET", `/api/sessions/${SID}`);
    renderPages(s.pages);
  } catch (e) { toast(e.message); }
}

async function removeSelected(c) {
  if (!c.selected) return;
  c.regions = c.regions.filter((r) => r.id !== c.selected);
  c.selected = null;
  await saveRegions(c);
}

document.addEventListener("keydown", (ev) => {
  const tag = (ev.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select") return;
  if (!$("view-review").hidden) { reviewKey(ev); return; }
  if ((ev.key === "Delete" || ev.key === "Backspace") && activeCard && activeCard.selected) {
    ev.preventDefault();
    removeSelected(activeCard);
  }
});

async function rotate(c, degrees) {
  await runJob(async () => {
    const job = await api("POST", `/api/sessions/${SID}/pages/${c.page.id}/rotate`, { degrees });
    await waitJob(job, "重新识别", null);
    await refresh();
  });
}

// ------------------------------------------------------------------ analyse, validate, export

async function analyse() {
  const ident = identityFromForm();
  if (!ident.name) { toast("请先填写申报人姓名（或载入 profile.yaml）。"); $("name").focus(); return; }
  await runJob(async () => {
    const job = await api("POST", `/api/sessions/${SID}/analyse`, ident);
    await waitJob(job, "识别", async () => { await refresh(); });
    await refresh();
    const notice = $("notice").value;
    if (notice && INFO && INFO.rules_available) await validate(notice);
  });
}

async function validate(notice) {
  $("findings").replaceChildren(el("p", { class: "hint", text: "正在按通知审核全部材料…" }));
  try {
    const job = await api("POST", `/api/sessions/${SID}/validate`, { notice });
    const done = await waitJob(job, "审核", null);
    renderFindings(done.result);
  } catch (e) {
    $("findings").replaceChildren(el("p", { class: "sev-error", text: e.message }));
  }
}

function renderFindings(res) {
  const findings = (res && res.findings) || [];
  const box = $("findings");
  if (!findings.length) { box.replaceChildren(el("p", { class: "issues" }, el("span", { class: "ok", text: "按所选通知审核：未发现问题。" }))); return; }
  const rows = findings.map((f) => el("tr", {},
    el("td", { class: `sev-${f.severity}`, text: SEV_ZH[f.severity] || f.severity }),
    el("td", {}, el("b", { text: f.code }), el("br"), document.createTextNode(f.message || ""),
      f.files && f.files.length ? el("div", { class: "hint", text: f.files.join("、") }) : null)));
  const n = (sev) => findings.filter((f) => f.severity === sev).length;
  box.replaceChildren(el("h3", { text: "按通知审核结果" }),
    el("p", { class: "hint", text: `错误 ${n("error")} 项（会被退回），警告 ${n("warning")} 项，提示 ${n("info")} 项。` }),
    el("table", { class: "findings" }, ...rows));
}

async function exportZip() {
  await runJob(async () => {
    let job;
    try { job = await api("POST", `/api/sessions/${SID}/export`, {}); }
    catch (e) {
      if (e.code !== "confirm_needed") throw e;
      if (!confirm(e.message)) return;
      job = await api("POST", `/api/sessions/${SID}/export`, { confirm_visible: true });
    }
    const done = await waitJob(job, "生成下载文件", null);
    const a = el("a", { href: withToken(`/api/sessions/${SID}/download`), download: done.result.download, id: "download-link" });
    document.body.append(a);
    a.click();
    a.remove();
    const s = done.result.summary;
    toast(`已生成 ${done.result.download}：${s.pages} 页。上传平台时只上传压缩包里的图片；`
      + `“${done.result.report_folder || "报告"}”文件夹是给你自己核对的，不要上传。`, "info");
  });
}

async function loadProfile(file) {
  const fd = new FormData();
  fd.append("file", file, file.name);
  try {
    const r = await api("POST", `/api/sessions/${SID}/profile`, fd, true);
    $("name").value = r.identity.name;
    $("aliases").value = r.identity.aliases.join("，");
    $("units").value = r.identity.units.join("\n");
    toast(r.application ? "已载入 application.yaml（审核时一并使用）。" : "已载入 profile.yaml。", "info");
  } catch (e) { toast(e.message); }
}

// ------------------------------------------------------------------ reviewer mode

const RV = { data: null, k: 0, audit: {} };

async function reviewOpen() {
  try {
    if ($("rv-reviewer").value.trim()) localStorage.setItem("zcmask-reviewer", $("rv-reviewer").value.trim());
    const body = { folder: $("rv-folder").value.trim(), sample: $("rv-sample").value.trim(), seed: $("rv-seed").value.trim(),
      name: $("rv-name").value.trim(), units: $("rv-units").value.split("\n").map((x) => x.trim()).filter(Boolean) };
    RV.data = await api("POST", "/api/review", body);
    RV.audit = {};
    $("rv-seed").value = RV.data.seed;
    if (RV.data.resumed_sample && RV.data.resumed_sample !== body.sample && body.sample) {
      toast(`接着上次的抽查继续（抽查 ${RV.data.sample.length} 页）。`, "info");
    }
    const first = RV.data.sample.findIndex((s) => !s.verdict);
    showReview(first >= 0 ? first : 0);
  } catch (e) { toast(e.message); }
}

function renderReviewList() {
  const d = RV.data;
  const ol = $("rv-list");
  ol.replaceChildren(...d.sample.map((s, i) => el("li", {
    class: `${s.verdict || ""}${i === RV.k ? " cur" : ""}`,
    text: `${s.name}${s.verdict ? (s.verdict === "accept" ? " ✓ 通过" : " ✗ 退回") : ""}`,
    onclick: () => showReview(i) })));
  const left = d.sample.filter((s) => !s.verdict).length;
  $("rv-counts").textContent = `共 ${d.total} 页，抽查 ${d.sample.length} 页（种子 ${d.seed}）：通过 ${d.counts.accept}，退回 ${d.counts.reject}，待看 ${left}。`;
}

async function showReview(k) {
  const d = RV.data;
  if (!d || !d.sample.length) return;
  RV.k = Math.max(0, Math.min(d.sample.length - 1, k));
  const s = d.sample[RV.k];
  $("rv-empty").hidden = true;
  $("rv-panel").hidden = false;
  $("rv-title").textContent = `第 ${RV.k + 1} / ${d.sample.length} 张：${s.name}`;
  $("rv-note").value = s.note || "";
  $("rv-img").src = withToken(`/api/review/${d.id}/image/${RV.k}?k=${RV.k}`);
  $("rv-svg").replaceChildren();
  renderReviewList();
  const name = $("rv-name").value.trim();
  if (!name && !s.has_identity) { $("rv-audit").textContent = "未填写姓名：请人工查看是否仍能看到姓名、单位、公章或眼睛。"; return; }
  const cached = RV.audit[RV.k];
  if (cached) { drawAudit(cached); return; }
  $("rv-audit").textContent = "正在自动查找残留…";
  try {
    const units = $("rv-units").value.split("\n").map((x) => x.trim()).filter(Boolean);
    const kk = RV.k;
    let job = await api("POST", `/api/review/${d.id}/audit/${kk}`, { name, units });
    while (job.state !== "done" && job.state !== "error") {
      await new Promise((r) => setTimeout(r, 300));
      job = await api("GET", `/api/jobs/${job.id}`);
    }
    if (job.state === "error") throw new Error(job.message);
    RV.audit[kk] = job.result;
    if (RV.k === kk) drawAudit(job.result);
  } catch (e) { $("rv-audit").textContent = e.message; }
}

function drawAudit(res) {
  const svg = $("rv-svg");
  svg.setAttribute("viewBox", `0 0 ${res.width || 1} ${res.height || 1}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.replaceChildren(...res.regions.map((r) => svgEl("rect", { class: "found", x: r.bbox[0], y: r.bbox[1],
    width: r.bbox[2] - r.bbox[0], height: r.bbox[3] - r.bbox[1] })));
  $("rv-audit").textContent = res.regions.length
    ? `自动检查发现仍可见：${res.regions.map((r) => KIND_ZH[r.kind] || r.kind).join("、")}（红框），建议退回。`
    : "自动检查未发现残留的姓名、单位、公章或眼睛；请再人工确认。";
}

async function verdict(v) {
  const d = RV.data;
  if (!d) return;
  if (!$("rv-reviewer").value.trim()) { // asked once, then remembered on this computer
    const who = (prompt("请输入评审人姓名（记入每条抽查结论）：") || "").trim();
    if (who) { $("rv-reviewer").value = who; localStorage.setItem("zcmask-reviewer", who); }
  }
  const reviewer = $("rv-reviewer").value.trim();
  const found = RV.audit[RV.k];
  if (v === "accept" && found && found.regions.length
      && !confirm(`自动检查在本页发现仍可见：${found.regions.map((r) => KIND_ZH[r.kind] || r.kind).join("、")}。确定仍判为“通过”吗？`)) return;
  try {
    RV.data = await api("POST", `/api/review/${d.id}/verdict`, { index: RV.k, verdict: v, note: $("rv-note").value, reviewer });
    const next = RV.data.sample.findIndex((s, i) => i > RV.k && !s.verdict);
    if (next >= 0) showReview(next);
    else { renderReviewList(); toast("已保存。本页之后没有待看的页面了。", "info"); }
  } catch (e) { toast(e.message); }
}

function reviewKey(ev) {
  if (!RV.data) return;
  if (ev.key === "a" || ev.key === "A") verdict("accept");
  else if (ev.key === "r" || ev.key === "R") verdict("reject");
  else if (ev.key === "ArrowRight") showReview(RV.k + 1);
  else if (ev.key === "ArrowLeft") showReview(RV.k - 1);
}

// ------------------------------------------------------------------ start

function showView(name) {
  for (const b of document.querySelectorAll(".tab")) {
    const on = b.dataset.view === name;
    b.classList.toggle("active", on);
    b.setAttribute("aria-selected", String(on));
  }
  $("toast").hidden = true;
  $("view-apply").hidden = name !== "apply";
  $("view-review").hidden = name !== "review";
}

async function start() {
  for (const b of document.querySelectorAll(".tab")) b.addEventListener("click", () => showView(b.dataset.view));
  $("analyse").addEventListener("click", analyse);
  $("cancel").addEventListener("click", cancelJob);
  $("rv-reviewer").value = localStorage.getItem("zcmask-reviewer") || "";
  $("clear").addEventListener("click", clearAll);
  $("export").addEventListener("click", exportZip);
  $("profile").addEventListener("change", (e) => { if (e.target.files[0]) loadProfile(e.target.files[0]); e.target.value = ""; });
  $("notice").addEventListener("change", () => {
    const notice = $("notice").value;
    if (!notice) { $("findings").replaceChildren(); return; }
    if (INFO && INFO.rules_available && anyReady()) runJob(() => validate(notice));
  });
  $("preview-mask").addEventListener("change", (e) => document.body.classList.toggle("masked", e.target.checked));
  $("rv-open").addEventListener("click", reviewOpen);
  $("rv-prev").addEventListener("click", () => showReview(RV.k - 1));
  $("rv-next").addEventListener("click", () => showReview(RV.k + 1));
  $("rv-accept").addEventListener("click", () => verdict("accept"));
  $("rv-reject").addEventListener("click", () => verdict("reject"));
  setupDrop();
  try {
    INFO = await api("GET", "/api/info");
    for (const n of INFO.notices) $("notice").append(el("option", { value: n.id, text: `${n.title}（${n.id}）` }));
    $("rules-state").textContent = INFO.rules_available ? "" : "本机暂不能按通知审核材料（缺少审核模块），遮盖与检查不受影响。";
    const rv = INFO.review || { enabled: true, roots: [] };
    $("tab-review").hidden = !rv.enabled;
    if (rv.roots && rv.roots.length) $("rv-roots").textContent = "可抽查的文件夹：" + rv.roots.join("；");
    if (INFO.role === "reviewer" && rv.enabled && !INFO.applicant) showView("review");
    const L = INFO.limits;
    $("limits").textContent = `上限：单个文件 ${L.max_file_mb} MB，每次 ${L.max_files} 个文件、${L.max_pages} 页。`;
    await ensureSession();
    const s = await refresh();
    if (s.identity) {
      $("name").value = s.identity.name;
      $("aliases").value = s.identity.aliases.join("，");
      $("units").value = s.identity.units.join("\n");
    }
    document.body.dataset.ready = "1";
  } catch (e) { toast(e.message); }
}

start();
