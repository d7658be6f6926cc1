// Kindling playground: the page. The server trains; this draws what it streams and sends the
// controls' changes. The whole setup lives in the URL's query string.
"use strict";

const FEATURES = [
  ["x1", "X\u2081"], ["x2", "X\u2082"], ["x1sq", "X\u2081\u00b2"], ["x2sq", "X\u2082\u00b2"],
  ["x1x2", "X\u2081X\u2082"], ["sinx1", "sin(X\u2081)"], ["sinx2", "sin(X\u2082)"],
];
const DEFAULTS = {
  dataset: "circle", noise: "0", ratio: "50", batch: "10", features: "x1,x2", layers: "4,2",
  activation: "tanh", lr: "0.03", reg: "none", rate: "0", seed: "0",
};
const MAX_LAYERS = 6, MAX_NEURONS = 8;

let setup = { ...DEFAULTS };
let socket = null;
let history = [];
let points = null;
let lastFrame = null;

const $ = (id) => document.getElementById(id);

function query() {
  return Object.keys(DEFAULTS).map((k) => `${k}=${encodeURIComponent(setup[k])}`).join("&");
}

function showError(message) {
  const banner = $("error");
  banner.textContent = message;
  banner.hidden = !message;
}

function say(message) { $("message").textContent = message; }

function layers() { return setup.layers ? setup.layers.split(",").filter((s) => s).map(Number) : []; }
function features() { return setup.features.split(",").filter((s) => s); }

// Colours as the TensorFlow Playground's: orange for negative, white at 0, blue for positive.
function colour(v) {
  const t = Math.max(-1, Math.min(1, v / 100));
  const [r, g, b] = t < 0 ? [245, 147, 34] : [8, 119, 189];
  const a = Math.abs(t);
  return [255 + (r - 255) * a, 255 + (g - 255) * a, 255 + (b - 255) * a];
}

function drawGrid(canvas, grid) {
  const ctx = canvas.getContext("2d");
  const side = grid.side;
  const image = ctx.createImageData(side, side);
  grid.values.forEach((v, i) => {
    const [r, g, b] = colour(v);
    image.data.set([r, g, b, 255], i * 4);
  });
  const off = document.createElement("canvas");
  off.width = side; off.height = side;
  off.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
}

// A feature the network does not use, drawn over the plane here (the server draws those it uses).
function featureGrid(name) {
  const side = 20, values = [];
  const f = { x1: (x) => x, x2: (x, y) => y, x1sq: (x) => x * x, x2sq: (x, y) => y * y,
    x1x2: (x, y) => x * y, sinx1: (x) => Math.sin(x), sinx2: (x, y) => Math.sin(y) }[name];
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) values.push(f(-6 + (c + 0.5) * 12 / side, 6 - (r + 0.5) * 12 / side));
  }
  const top = Math.max(...values.map(Math.abs)) || 1;
  return { side, values: values.map((v) => Math.round((v / top) * 100)) };
}

function drawPoints(canvas) {
  if (!points) return;
  const ctx = canvas.getContext("2d");
  const scale = canvas.width / 12;
  const draw = (p, test) => {
    const v = points.classification ? (p.label > 0.5 ? 100 : -100) : p.label * 100;
    const [r, g, b] = colour(v);
    ctx.beginPath();
    ctx.arc((p.x + 6) * scale, (6 - p.y) * scale, 3, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = test ? "#222" : "#fff";
    ctx.stroke();
  };
  points.train.forEach((p) => draw(p, false));
  points.test.forEach((p) => draw(p, true));
}

function drawLoss() {
  const canvas = $("loss-chart");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (history.length < 2) return;
  const top = Math.max(...history.map((h) => Math.max(h.train, h.test)).filter(isFinite), 1e-9);
  const x = (i) => (i / (history.length - 1)) * canvas.width;
  const y = (v) => canvas.height - 2 - (Math.min(v, top) / top) * (canvas.height - 4);
  for (const [key, style] of [["train", "#999"], ["test", "#222"]]) {
    ctx.beginPath();
    history.forEach((h, i) => (i ? ctx.lineTo(x(i), y(h[key])) : ctx.moveTo(x(i), y(h[key]))));
    ctx.strokeStyle = style;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
}

function drawGradNorms(norms) {
  const canvas = $("grad-norms");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!norms.length) return;
  const top = Math.max(...norms, 1e-12);
  const w = canvas.width / norms.length;
  ctx.font = "10px sans-serif";
  norms.forEach((n, i) => {
    const h = (n / top) * (canvas.height - 14);
    ctx.fillStyle = "#0877bd";
    ctx.fillRect(i * w + 4, canvas.height - 12 - h, w - 8, h);
    ctx.fillStyle = "#333";
    ctx.fillText(i + 1 < norms.length ? `layer ${i + 1}` : "output", i * w + 4, canvas.height - 2);
  });
  canvas.title = norms.map((n, i) => `layer ${i + 1}: ${n.toPrecision(3)}`).join("\n");
}

// The network: a column of feature tiles, one per hidden layer, then the output.
function buildNetwork() {
  const columns = $("columns");
  columns.innerHTML = "";
  const inputs = document.createElement("div");
  inputs.className = "column-nodes";
  for (const [name, label] of FEATURES) {
    const node = document.createElement("div");
    node.className = "node feature" + (features().includes(name) ? " on" : "");
    node.dataset.testid = `feature-${name}`;
    node.setAttribute("data-testid", `feature-${name}`);
    node.title = `${label}: click to ${features().includes(name) ? "remove" : "use"} it`;
    node.innerHTML = `<canvas width="40" height="40"></canvas><span>${label}</span>`;
    node.onclick = () => {
      const on = features();
      const next = on.includes(name) ? on.filter((f) => f !== name) : [...on, name];
      if (!next.length) { say("keep at least one input feature"); return; }
      setup.features = FEATURES.map(([n]) => n).filter((n) => next.includes(n)).join(",");
      changed();
    };
    inputs.appendChild(node);
  }
  columns.appendChild(inputs);
  layers().forEach((count, l) => {
    const column = document.createElement("div");
    column.className = "column-nodes hidden-layer";
    const buttons = document.createElement("div");
    buttons.className = "neuron-buttons";
    buttons.innerHTML = `<button data-testid="add-neuron-${l + 1}" title="Add a neuron">+</button>` +
      `<button data-testid="remove-neuron-${l + 1}" title="Remove a neuron">&minus;</button>` +
      `<span>${count} neuron${count === 1 ? "" : "s"}</span>`;
    buttons.children[0].onclick = () => resize(l, +1);
    buttons.children[1].onclick = () => resize(l, -1);
    column.appendChild(buttons);
    for (let j = 0; j < count; j++) {
      const node = document.createElement("div");
      node.className = "node neuron";
      node.setAttribute("data-testid", `neuron-${l + 1}-${j + 1}`);
      node.innerHTML = `<canvas width="40" height="40"></canvas>`;
      column.appendChild(node);
    }
    columns.appendChild(column);
  });
  const out = document.createElement("div");
  out.className = "column-nodes";
  out.innerHTML = `<div class="node output-node"><canvas width="40" height="40"></canvas><span>output</span></div>`;
  columns.appendChild(out);
  $("layer-count").textContent = `${layers().length} hidden layer${layers().length === 1 ? "" : "s"}`;
}

function resize(layer, by) {
  const sizes = layers();
  const next = sizes[layer] + by;
  if (next < 1 || next > MAX_NEURONS) return;
  sizes[layer] = next;
  setup.layers = sizes.join(",");
  changed();
}

function drawLinks(frame) {
  const svg = $("links");
  const net = $("net").getBoundingClientRect();
  svg.setAttribute("width", net.width);
  svg.setAttribute("height", net.height);
  svg.innerHTML = "";
  const columns = [...$("columns").children].map((c) => [...c.querySelectorAll(".node")]);
  // The inputs are the features in use, in order.
  columns[0] = columns[0].filter((n) => n.classList.contains("on"));
  const centre = (node, side) => {
    const r = node.querySelector("canvas").getBoundingClientRect();
    return [side > 0 ? r.right - net.left : r.left - net.left, r.top + r.height / 2 - net.top];
  };
  const top = Math.max(1e-9, ...frame.weights.flat().map(Math.abs));
  frame.weights.forEach((weights, l) => {
    const from = columns[l], to = columns[l + 1];
    const outputs = frame.biases[l].length;
    from.forEach((a, i) => to.forEach((b, j) => {
      if (l + 1 === frame.weights.length && j > 0) return;
      const w = l + 1 === frame.weights.length && outputs === 2
        ? weights[i * outputs + 1] - weights[i * outputs] // the output tile shows class 1 against 0
        : weights[i * outputs + j];
      const [x1, y1] = centre(a, 1), [x2, y2] = centre(b, -1);
      const line = document.createElementNS("http://www.w3.org/2000/svg", "path");
      line.setAttribute("d", `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`);
      const [r, g, bl] = colour((w / top) * 100);
      line.setAttribute("stroke", `rgb(${r},${g},${bl})`);
      line.setAttribute("stroke-width", String(0.5 + 5 * Math.min(1, Math.abs(w) / top)));
      line.setAttribute("fill", "none");
      line.setAttribute("data-weight", w.toFixed(4));
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = `weight ${w.toFixed(4)}`;
      line.appendChild(title);
      svg.appendChild(line);
    }));
  });
}

function drawFrame(frame) {
  lastFrame = frame;
  $("epoch").textContent = String(frame.epoch);
  const fmt = (v) => (v === null || v === undefined ? "\u2013" : v.toFixed(3));
  $("test-loss").textContent = fmt(frame.test_loss);
  $("train-loss").textContent = fmt(frame.train_loss);
  if (frame.train_loss !== null) {
    history.push({ epoch: frame.epoch, train: frame.train_loss, test: frame.test_loss });
    if (history.length > 2000) history = history.filter((_, i) => i % 2 === 0);
  }
  const output = $("output");
  drawGrid(output, frame.output);
  drawPoints(output);
  const columns = [...$("columns").children];
  const featureNodes = [...columns[0].querySelectorAll(".node.on")];
  featureNodes.forEach((node, k) => frame.inputs[k] && drawGrid(node.querySelector("canvas"), frame.inputs[k]));
  [...columns[0].querySelectorAll(".node:not(.on)")].forEach((node) => {
    const name = node.getAttribute("data-testid").replace("feature-", "");
    drawGrid(node.querySelector("canvas"), featureGrid(name));
  });
  frame.hidden.forEach((units, l) => {
    const column = columns[l + 1];
    if (!column) return;
    const nodes = [...column.querySelectorAll(".node")];
    units.forEach((grid, j) => {
      if (!nodes[j]) return;
      drawGrid(nodes[j].querySelector("canvas"), grid);
      const dead = frame.dead[l] && frame.dead[l][j];
      nodes[j].classList.toggle("dead", !!dead);
      nodes[j].title = dead ? "dead ReLU: outputs 0 for every training point" : `bias ${frame.biases[l][j].toFixed(3)}`;
    });
  });
  const outNode = columns[columns.length - 1].querySelector("canvas");
  drawGrid(outNode, frame.output);
  drawLinks(frame);
  drawLoss();
  drawGradNorms(frame.grad_norms);
}

function setPlaying(playing) {
  $("play").disabled = playing;
  $("pause").disabled = !playing;
}

function connect() {
  if (socket) { socket.onclose = null; socket.close(); }
  history = [];
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/api/session?${query()}`);
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "points") { points = message.points; history = []; }
    else if (message.type === "frame") drawFrame(message.frame);
    else if (message.type === "state") setPlaying(message.playing);
    else if (message.type === "saved") say(`Saved: ${message.path} (kindling predict ${message.path} --input FILE.csv)`);
    else if (message.type === "error") say(message.message);
  };
  socket.onclose = () => { setPlaying(false); say("The connection to the server closed; reload the page."); };
}

function send(command) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(command);
}

// Puts the controls in line with `setup`.
function showSetup() {
  $("lr").value = String(Number(setup.lr));
  if ($("lr").value !== String(Number(setup.lr))) {
    const option = document.createElement("option");
    option.textContent = String(Number(setup.lr));
    $("lr").appendChild(option);
    $("lr").value = option.textContent;
  }
  $("activation").value = setup.activation;
  $("reg").value = setup.reg;
  $("rate").value = String(Number(setup.rate));
  $("seed").value = setup.seed;
  for (const key of ["ratio", "noise", "batch"]) {
    $(key).value = setup[key];
    $(`${key}-value`).textContent = setup[key];
  }
  document.querySelectorAll("[data-dataset]").forEach((b) => b.classList.toggle("selected", b.dataset.dataset === setup.dataset));
  buildNetwork();
}

// A control changed: the URL, the page and the server follow.
function changed() {
  history = [];
  window.history.replaceState(null, "", `?${query()}`);
  showSetup();
  send(`setup:${query()}`);
}

function wire() {
  $("play").onclick = () => send("play");
  $("pause").onclick = () => send("pause");
  $("step").onclick = () => send("step");
  $("reset").onclick = () => { history = []; send("reset"); };
  $("save-run").onclick = () => { say("Saving\u2026"); send("save"); };
  $("add-layer").onclick = () => {
    const sizes = layers();
    if (sizes.length >= MAX_LAYERS) { say(`at most ${MAX_LAYERS} hidden layers`); return; }
    sizes.push(2);
    setup.layers = sizes.join(",");
    changed();
  };
  $("remove-layer").onclick = () => {
    const sizes = layers();
    if (!sizes.length) return;
    sizes.pop();
    setup.layers = sizes.join(",");
    changed();
  };
  document.querySelectorAll("[data-dataset]").forEach((button) => {
    button.onclick = () => { setup.dataset = button.dataset.dataset; changed(); };
  });
  const bind = (id, key) => { $(id).onchange = () => { setup[key] = $(id).value; changed(); }; };
  bind("lr", "lr"); bind("activation", "activation"); bind("reg", "reg"); bind("rate", "rate");
  bind("seed", "seed"); bind("ratio", "ratio"); bind("noise", "noise"); bind("batch", "batch");
  for (const key of ["ratio", "noise", "batch"]) {
    $(key).oninput = () => { $(`${key}-value`).textContent = $(key).value; };
  }
  $("side-by-side").onclick = () => {
    const q = encodeURIComponent(query());
    window.open(`/compare#${q}`, "_blank");
  };
  window.onresize = () => lastFrame && drawLinks(lastFrame);
}

async function start() {
  wire();
  const given = location.search.replace(/^\?/, "");
  if (given) {
    const response = await fetch(`/api/setup?${given}`);
    const body = await response.json();
    if (response.ok) {
      for (const [k, v] of new URLSearchParams(body.query)) setup[k] = v;
    } else {
      showError(`${body.error}. The page opened with the default setup instead.`);
    }
  }
  window.history.replaceState(null, "", `?${query()}`);
  showSetup();
  connect();
}

start();
