// Starts GraphiQL on /graphql/ (local settings only). Loaded as a file, not inline,
// so the page runs under the same CSP as every other page.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var csrf = document.querySelector("[name=csrfmiddlewaretoken]");
  var fetcher = window.GraphiQL.createFetcher({
    url: root.getAttribute("data-endpoint"),
    headers: csrf ? { "X-CSRFToken": csrf.value } : {},
  });
  window.ReactDOM.createRoot(root).render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
    }),
  );
})();
