/* live.js — live updates for readers (docs/live.md). A page that wants them holds an element
 * with data-live (the stream's path) and data-live-kind ("list" for the home and topic pages,
 * "story" for an article page); this script opens an EventSource on that path and writes into
 * the element, a polite status region: "N new stories — Show" on a list (Show reloads the
 * page), "This story has been updated. Reload" on an article ("N comments on this story now.
 * Reload" when only its comments changed). Without JavaScript, or without
 * EventSource, nothing happens and the page is as it was. No dependencies. */
(function () {
  "use strict";
  var region = document.querySelector("[data-live]");
  if (!region || typeof window.EventSource !== "function") return;
  var kind = region.getAttribute("data-live-kind") === "story" ? "story" : "list";
  var fresh = {}, updated = {}, nFresh = 0, nUpdated = 0, storyUpdated = false;

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function show(message, action) {
    region.textContent = "";
    var text = document.createElement("span");
    text.textContent = message + " ";
    var link = document.createElement("a");
    link.href = window.location.pathname + window.location.search;
    link.textContent = action;
    link.className = "live-action";
    region.appendChild(text);
    region.appendChild(link);
    region.classList.add("live-bar-shown");
  }

  function onStory(event) {
    var story;
    try {
      story = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (!story || typeof story.id !== "number") return;
    if (kind === "story") {
      storyUpdated = true;
      show("This story has been updated.", "Reload");
      return;
    }
    if (story.kind === "new" && !fresh[story.id]) {
      fresh[story.id] = true;
      nFresh++;
    } else if (story.kind === "updated" && !fresh[story.id] && !updated[story.id]) {
      updated[story.id] = true;
      nUpdated++;
    } else {
      return;
    }
    var parts = [];
    if (nFresh) parts.push(plural(nFresh, "new story", "new stories"));
    if (nUpdated) parts.push(plural(nUpdated, "story updated", "stories updated"));
    show(parts.join(", ") + " \u2014", "Show");
  }

  function onComments(event) {
    var data;
    try {
      data = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (kind !== "story" || storyUpdated || !data || typeof data.comment_count !== "number") return;
    show(plural(data.comment_count, "comment", "comments") + " on this story now.", "Reload");
  }

  var source = new EventSource(region.getAttribute("data-live"));
  source.addEventListener("story", onStory);
  source.addEventListener("comments", onComments);
  source.addEventListener("error", function () {
    /* a page exported as static files has no stream: stop instead of retrying */
    if (source.readyState === EventSource.CLOSED) source.close();
  });
})();
