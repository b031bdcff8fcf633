import Foundation
import Hummingbird
import TributaryClient
import TributaryCore

/// Live updates: the events exchange as server-sent events, one subscription (a queue of the
/// console's own) per open page, gone when the page closes. Pages work without them; the
/// script only redraws what the server rendered.
extension ConsoleRoutes {
    /// How often an idle stream sends a comment, so a closed page is noticed and proxies keep it open.
    static let keepAlive: Duration = .seconds(15)

    func registerEvents(on router: Router<BasicRequestContext>) {
        router.get("events") { request, _ in
            try await events(request) { try await $0.followAll() }
        }
        router.get("experiments/:id/events") { request, context in
            let id = try context.parameters.require("id")
            return try await events(request) { try await $0.follow(experimentID: id) }
        }
        router.get("assets/console.js") { request, _ in
            try await page(request) { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "private, max-age=300"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: ConsoleScript.source)))
            }
        }
    }

    private func events(_ request: Request, _ subscribe: @escaping @Sendable (TributaryClient) async throws -> ExperimentSubscription) async throws
        -> Response
    {
        guard case .signedIn = access.authenticate(request) else { return try json(.unauthorized, ["error": "sign in first"]) }
        let subscription = try await subscribe(try backend.client())
        let body = ResponseBody { writer in
            let (chunks, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
            let pump = Task {
                while let event = try? await subscription.nextEvent() {
                    guard let data = try? MessageCoding.encode(event) else { continue }
                    continuation.yield("event: status\ndata: \(String(decoding: data, as: UTF8.self))\n\n")
                }
                continuation.finish()
            }
            let beat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.keepAlive)
                    continuation.yield(": keep-alive\n\n")
                }
            }
            defer {
                pump.cancel()
                beat.cancel()
                continuation.finish()
            }
            do {
                try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
                for await chunk in chunks { try await writer.write(ByteBuffer(string: chunk)) }
            } catch {
                // The page went away.
            }
            await subscription.cancel()
            try? await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }
}

/// The console's only script: redraws rows and facts from the event stream. Without it the
/// pages are the same, as of their last load.
enum ConsoleScript {
    static let source = """
        (function () {
          const root = document.querySelector("[data-events]");
          if (!root || !window.EventSource) return;
          const source = new EventSource(root.dataset.events);
          const seen = {};
          // The grid is one batch-map query to the orchestrator: at most one every 2 s per
          // page, the last one after the last event, so open pages cost the orchestrator
          // little however fast events come.
          let gridBusy = false, gridAgain = false, gridAt = 0;
          function refreshGrid(grid) {
            if (gridBusy) { gridAgain = true; return; }
            gridBusy = true;
            setTimeout(function () {
              gridAt = Date.now();
              fetch(grid.dataset.grid, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; })
                .then(function (html) { if (html !== null) grid.innerHTML = html; }, function () {})
                .then(function () {
                  gridBusy = false;
                  if (gridAgain) { gridAgain = false; refreshGrid(grid); }
                });
            }, Math.max(0, gridAt + 2000 - Date.now()));
          }
          function set(scope, name, text) { scope.querySelectorAll('[data-field="' + name + '"]').forEach(function (e) { e.textContent = text; }); }
          source.addEventListener("status", function (message) {
            const s = JSON.parse(message.data);
            document.querySelectorAll('[data-experiment="' + s.experiment_id + '"]').forEach(function (scope) {
              const ended = s.batches_completed + s.failed_batches;
              scope.querySelectorAll("progress").forEach(function (p) { p.max = Math.max(s.batch_count, 1); p.value = ended; });
              set(scope, "ended", ended + "/" + s.batch_count);
              set(scope, "state", s.state + (s.pause_reason ? " (" + s.pause_reason + ")" : ""));
              scope.querySelectorAll('[data-field="state"]').forEach(function (e) { e.className = "state " + s.state; });
              set(scope, "failed", s.failed_batches);
              set(scope, "in_flight", s.in_flight);
              set(scope, "retries", s.retries);
              set(scope, "batches", s.batches_completed + " completed, " + s.failed_batches + " failed for good, " + s.in_flight + " in flight, of " + s.batch_count);
              const now = Date.parse(s.at) / 1000, last = seen[s.experiment_id];
              if (last && now > last.at && ended > last.ended) {
                const rate = (ended - last.ended) / (now - last.at), left = s.batch_count - ended;
                set(scope, "rate", rate.toFixed(1) + " batches/s, about " + Math.round(left / rate) + " s to go");
              }
              seen[s.experiment_id] = { at: now, ended: ended };
              const grid = scope.querySelector("[data-grid]");
              if (grid) refreshGrid(grid);
            });
          });
        })();
        """
}
