// The live feed's WebSocket (`/ws`), kept open for as long as the page is: when the engine
// restarts or a blue-green switch closes the connection, it reconnects by itself with
// exponential backoff (0.5 s doubling to 10 s, with jitter) and reports each state so the page
// can say "reconnecting".

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

/**
 * Connects to `/ws` and calls `onMessage(parsedMessage)` for each message and
 * `onState(state, detail)` with "connecting", "live" or "reconnecting" (detail: seconds until
 * the next attempt).
 */
export function connectLive({ onMessage, onState }) {
  let delay = FIRST_DELAY_MS;
  let countdown = null;

  function open() {
    clearInterval(countdown);
    onState("connecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws`);
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      delay = FIRST_DELAY_MS;
      onState("live");
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      onMessage(message);
    });
    socket.addEventListener("close", () => retry(opened));
  }

  function retry(wasOpen) {
    if (!wasOpen) delay = Math.min(delay * 2, MAX_DELAY_MS);
    const wait = Math.round(delay * (0.8 + Math.random() * 0.4));
    const until = Date.now() + wait;
    const tick = () => onState("reconnecting", Math.max(0, Math.ceil((until - Date.now()) / 1000)));
    tick();
    countdown = setInterval(tick, 1000);
    setTimeout(open, wait);
  }

  open();
}
