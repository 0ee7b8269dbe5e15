/**
 * A one-page demo of the example app at `GET /`: a chat room (x-websocket) and the pet-updates
 * feed (x-sse), using exactly the browser snippets the README shows. Served as a route added in
 * code (itty-router), since the spec does not declare `/`. The browser test drives this page.
 */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BRRTRouter Edge pet store</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem; max-width: 60rem; color: #222; }
  section { border: 1px solid #ccc; border-radius: 6px; padding: 0 1rem 1rem; margin-bottom: 1rem; }
  ul { min-height: 2rem; padding-left: 1.2rem; } li { margin: .2rem 0; }
  #status { color: #666; }
</style>
</head>
<body>
<h1>BRRTRouter Edge pet store</h1>
<p id="status">connecting…</p>
<section>
  <h2>Chat room <code id="room"></code></h2>
  <ul id="chat"></ul>
  <form id="say"><input name="text" required maxlength="1000" placeholder="say something"> <button>Send</button></form>
</section>
<section>
  <h2>Pet updates (Server-Sent Events)</h2>
  <ul id="feed"></ul>
  <form id="add">
    <input name="name" required placeholder="name">
    <select name="species"><option>cat</option><option>dog</option><option>bird</option><option>fish</option><option>other</option></select>
    <input name="key" required placeholder="X-API-Key (demo-key-1)">
    <button>Add pet</button>
  </form>
</section>
<script type="module">
const params = new URLSearchParams(location.search);
const roomId = params.get("room") ?? "lobby";
document.getElementById("room").textContent = roomId;
const say = (list, text) => { const li = document.createElement("li"); li.textContent = text; document.getElementById(list).append(li); };
let open = 0;
const ready = () => { if (++open === 2) { document.getElementById("status").textContent = "connected"; window.brrtReady = true; } };

// Chat room: acks flow-control frames, keeps alive, reconnects after 1013 (the README snippet).
function joinChat(roomId, onMessage) {
  const ws = new WebSocket(\`\${location.origin.replace(/^http/, "ws")}/chat/\${encodeURIComponent(roomId)}\`);
  let keepAlive;
  ws.onopen = () => { keepAlive = setInterval(() => ws.send("ping"), 30_000); ready(); };
  ws.onmessage = (e) => {
    if (e.data === "pong") return;
    const frame = JSON.parse(e.data);
    if (frame.type === "brrt.sync") return ws.send(JSON.stringify({ type: "brrt.ack", sent: frame.sent }));
    if (frame.type === "error") return say("chat", "error: " + frame.detail);
    onMessage(frame);
  };
  ws.onclose = (e) => { clearInterval(keepAlive); if (e.code === 1013) setTimeout(() => joinChat(roomId, onMessage), 1000); };
  return (text) => ws.send(JSON.stringify({ text }));
}
const send = joinChat(roomId, (frame) => say("chat", frame.text ?? JSON.stringify(frame)));

// Pet updates: EventSource resumes with Last-Event-ID by itself (the README snippet).
const feed = new EventSource("/pets/events");
feed.onopen = ready;
feed.addEventListener("pet.created", (e) => say("feed", "new: " + JSON.parse(e.data).name + " #" + e.lastEventId));
feed.addEventListener("pet.updated", (e) => say("feed", "changed: " + JSON.parse(e.data).name));

document.getElementById("say").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = e.target.elements.text;
  send(input.value);
  input.value = "";
});
document.getElementById("add").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.target.elements;
  const response = await fetch("/pets", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": form.key.value },
    body: JSON.stringify({ name: form.name.value, species: form.species.value }),
  });
  if (!response.ok) say("feed", "refused: " + (await response.json()).detail);
});
</script>
</body>
</html>
`;
