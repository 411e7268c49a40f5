// The API reference at /docs: Swagger UI renders the OpenAPI document of the API this site
// talks to, fetched at run time so the page never goes stale. Locally the API is on the same
// origin; a stack's web site finds its API's URL in config.json, as the app does.

const status = document.getElementById("reference-status");

function say(text) {
  status.textContent = text;
}

async function apiUrl() {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const config = await response.json();
  return (config.apiUrl || "").replace(/\/+$/, "");
}

async function main() {
  // The renderer is a classic script (deferred), so it has run before this module.
  if (typeof window.SwaggerUIBundle !== "function") {
    say("The renderer is not installed on this server: run `make run` with npm available " +
        "(it installs Swagger UI into tools/api-reference). The document itself is at /openapi.json.");
    return;
  }
  const url = `${await apiUrl()}/openapi.json`;
  status.remove();
  window.SwaggerUIBundle({
    url,
    dom_id: "#reference",
    deepLinking: true,
    validatorUrl: null, // never send the document to swagger.io's validator
    tryItOutEnabled: false,
  });
}

main().catch((error) => say(`The API reference could not load: ${error.message}`));
