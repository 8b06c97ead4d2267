"""The comparison page's style sheet, inline in the page so that it needs no network.

Wide screens get a grid, a column per target, that shrinks its columns rather than scroll; below
760 px each rule's cells stack under it as labelled chips. Every status has a symbol and a word as
well as a colour, and every colour pair is dark text on a light tint (contrast above 7:1).
"""

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em 2em; color: #1d2330;
       background: #fff; }
h1 { font-size: 1.4em; margin: 0 0 .3em; } h2 { font-size: 1.1em; margin: 1.4em 0 .5em; }
.intro { max-width: 62em; margin: .3em 0; }
code { font: .9em ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #eceef3;
       padding: 0 .2em; border-radius: 3px; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; font: .82em/1.4 ui-monospace, "DejaVu Sans Mono",
      Menlo, Consolas, monospace; background: #f4f5f8; padding: .3em .5em; border-radius: 3px; max-height: 16em;
      overflow: auto; }

.passed { background: #edf7ef; color: #124a27; }
.failed { background: #fcdcd8; color: #7f170f; }
.warning { background: #fcedbd; color: #5e3c00; }
.expected { background: #dfe9f7; color: #17365f; }
.errored { background: #eee0f5; color: #521a69; }
.uncovered { background: #f3f4f6; color: #454b57; }

.legend { list-style: none; padding: 0; margin: .6em 0; display: flex; flex-wrap: wrap; gap: .35em 1.3em;
          font-size: .88em; color: #454b57; }
.legend li > span { font-weight: 600; padding: .05em .45em; border-radius: 3px; margin-right: .25em;
                    white-space: nowrap; }

#summary { border-collapse: collapse; font-size: .92em; }
#summary th, #summary td { border: 1px solid #d4d8e0; padding: .3em .5em; text-align: left; vertical-align: top; }
#summary th { background: #f3f5f8; font-weight: 600; }
#summary td:nth-child(n+3) { font-variant-numeric: tabular-nums; }
#summary .name { font-weight: 700; }
#summary td[data-label="roles"] { white-space: nowrap; }
.where { display: block; font-size: .82em; color: #5c6270; overflow-wrap: anywhere; }
.verdict-pass { color: #17692f; font-weight: 700; } .verdict-fail { color: #a3190f; font-weight: 700; }
.verdict-error { color: #5b1f73; font-weight: 700; }

#matrix { --columns: minmax(14em, 21em) repeat(var(--targets), minmax(0, 10em)); border-top: 1px solid #d4d8e0; }
#matrix .head, #matrix summary { display: grid; grid-template-columns: var(--columns); }
#matrix .head { position: sticky; top: 0; z-index: 1; background: #f3f5f8; font-weight: 600;
                border-bottom: 2px solid #c4cad6; }
#matrix .head > span { padding: .4em .45em; overflow-wrap: anywhere; min-width: 0; }
details.req { border-bottom: 1px solid #dde1e8; }
details.req > summary { cursor: pointer; list-style: none; }
details.req > summary::-webkit-details-marker { display: none; }
details.req > summary:hover .rule-head, details.req[open] > summary .rule-head { background: #eef1f6; }
details.req > summary:focus-visible { outline: 2px solid #2b59c3; outline-offset: -2px; }
.rule-head { position: relative; padding: .35em .6em .35em 1.5em; min-width: 0; }
.rule-head::before { content: "▸"; position: absolute; left: .45em; top: .3em; color: #5c6270; }
details[open] > summary .rule-head::before { content: "▾"; }
#matrix .head .rule-head::before { content: none; }
.id { font-weight: 700; overflow-wrap: anywhere; }
.level { font-size: .7em; font-weight: 600; letter-spacing: .04em; padding: 0 .35em; border: 1px solid #b9c0cc;
         border-radius: 3px; color: #454b57; vertical-align: .12em; }
.short { display: block; font-size: .86em; color: #454b57; }
summary > [data-target] { display: flex; align-items: flex-start; min-width: 0; padding: .4em .45em;
                          border-left: 2px solid #fff; font-weight: 600; font-size: .88em; overflow-wrap: anywhere; }
.state { min-width: 0; }
.mark { display: inline-block; width: 1em; text-align: center; }
.count { display: inline-block; min-width: 1.5em; padding: 0 .35em; border-radius: 1em; background: #7f170f;
         color: #fff; text-align: center; font-size: .88em; }
.warning .count { background: #5e3c00; }
.who { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }

.detail { padding: .4em 1em .8em 1.5em; background: #fafbfc; border-top: 1px dashed #dde1e8; }
.detail > * { max-width: 75em; }
.rule { margin: .2em 0; }
.section { margin: .2em 0 .5em; font-size: .84em; color: #5c6270; }
.finding { margin: .35em 0; padding: .1em .7em; border-left: 4px solid #c4cad6; background: none; color: inherit; }
.finding h4 { margin: .15em 0; font-size: .93em; font-weight: 600; }
.finding .name { font-weight: 700; margin-right: .3em; }
.finding.passed { border-color: #3d9156; } .finding.passed h4 { color: #124a27; }
.finding.failed { border-color: #c0392b; } .finding.failed h4 { color: #7f170f; }
.finding.warning { border-color: #b7791f; } .finding.warning h4 { color: #5e3c00; }
.finding.expected { border-color: #3b6fb6; } .finding.expected h4 { color: #17365f; }
.finding.errored { border-color: #8e44ad; } .finding.errored h4 { color: #521a69; }
.finding.uncovered { border-color: #c4cad6; } .finding.uncovered h4 { color: #454b57; }
p.finding { font-size: .9em; }
p.finding b { margin-right: .3em; }
p.finding .name { margin-right: 0; }
p.finding .coverage { display: inline; margin-left: .4em; }
.coverage { display: block; font-size: .8em; color: #5c6270; }
.note { margin: .2em 0; font-size: .85em; }
ol.failures { list-style: none; padding: 0; margin: .3em 0; }
.failure { border: 1px solid #dde1e8; background: #fff; border-radius: 4px; padding: .35em .7em; margin: .45em 0; }
.failure .message { font-weight: 600; margin: .15em 0 .3em; }
.failure .nr { color: #5c6270; }
.failure dl { display: grid; grid-template-columns: 6em minmax(0, 1fr); gap: .25em .6em; margin: 0; }
.failure dt { font-size: .84em; color: #5c6270; }
.failure dd { margin: 0; min-width: 0; }
pre.response { max-height: 24em; }
pre .headers { color: #5c6270; }

@media (max-width: 760px) {
  body { margin: .8em .7em; }
  #matrix .head { display: none; }
  #matrix summary { grid-template-columns: repeat(auto-fill, minmax(7em, 1fr)); gap: 3px; padding-bottom: .45em; }
  .rule-head { grid-column: 1 / -1; }
  summary > [data-target] { flex-direction: column; border-left: 0; border-radius: 3px; padding: .25em .4em; }
  .who { position: static; width: auto; height: auto; overflow: visible; clip-path: none; white-space: normal;
         font-weight: 400; font-size: .9em; }
  .detail { padding: .4em .3em .7em .5em; }
  .failure { padding: .35em .45em; }
  .failure dl { grid-template-columns: minmax(0, 1fr); }
  .failure dt { margin-top: .2em; }
  #summary, #summary tbody, #summary tr { display: block; }
  #summary thead { display: none; }
  #summary tr { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 0 .4em; margin: .5em 0;
                padding: .35em .5em; border: 1px solid #d4d8e0; border-radius: 4px; }
  #summary td { border: 0; padding: .05em 0; min-width: 0; }
  #summary td::before { content: attr(data-label); display: block; font-size: .78em; color: #5c6270; }
  #summary td[data-label^="MUST"]::before, #summary td[data-label^="SHOULD"]::before { display: inline;
                                                                             margin-right: .3em; }
  #summary td[data-label="target"] { grid-column: 1 / 4; }
  #summary td[data-label="verdict"] { grid-column: 4 / -1; }
  #summary td[data-label="target"]::before, #summary td[data-label="verdict"]::before { display: none; }
  #summary td[data-label="roles"] { grid-column: span 2; white-space: normal; }
}
"""
