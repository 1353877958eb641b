// Compile the Sass and copy GOV.UK Frontend's fonts, images and script into the
// Django static build folder. Runs offline: everything comes from node_modules.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "backend", "web", "static_build");
const govuk = join(here, "node_modules", "govuk-frontend", "dist", "govuk");

for (const folder of ["css", "js", "assets", "vendor"]) {
  rmSync(join(out, folder), { recursive: true, force: true });
  mkdirSync(join(out, folder), { recursive: true });
}

const css = sass.compile(join(here, "src", "scss", "application.scss"), {
  importers: [new sass.NodePackageImporter()],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "application.css"), css.css);
// GraphiQL fills the window; a file rather than an inline style, for the CSP.
writeFileSync(
  join(out, "css", "graphiql-page.css"),
  "html,body,#graphiql{height:100%;margin:0;overflow:hidden;width:100%}",
);

cpSync(join(govuk, "assets"), join(out, "assets"), { recursive: true });
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "js", "govuk-frontend.min.js"));
cpSync(join(here, "src", "js"), join(out, "js"), { recursive: true });
// axe-core is only used by the browser tests, which inject it from here.
cpSync(join(here, "node_modules", "axe-core", "axe.min.js"), join(out, "vendor", "axe.min.js"));
// GraphiQL (local settings only) from its own UMD builds, served as our static files:
// no CDN, so it works on a closed network and under a CSP of 'self' alone.
const graphiql = join(out, "vendor", "graphiql");
mkdirSync(graphiql, { recursive: true });
for (const [from, to] of [
  ["react/umd/react.production.min.js", "react.production.min.js"],
  ["react-dom/umd/react-dom.production.min.js", "react-dom.production.min.js"],
  ["graphiql/graphiql.min.js", "graphiql.min.js"],
  ["graphiql/graphiql.min.css", "graphiql.min.css"],
]) {
  cpSync(join(here, "node_modules", from), join(graphiql, to));
}
console.log(`Built front-end assets into ${out}`);
