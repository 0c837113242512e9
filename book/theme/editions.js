// The book's editions (xtask/src/editions.rs).
(function () {
    "use strict";

    // The language switch in the menu bar links to the same page in the other edition;
    // following it keeps the reader's place on the page (the headings have the same ids in
    // every edition).
    for (const link of document.querySelectorAll("a.edition-switch")) {
        link.addEventListener("click", function () {
            if (window.location.hash) {
                link.href = link.href.split("#")[0] + window.location.hash;
            }
        });
    }

    // Search in a translation: its index holds words of letters or digits as they are and
    // runs of Han characters as overlapping pairs (`search_tokens` in editions.rs, the same
    // rule), without elasticlunr's trimmer and stemmer, which would drop every Chinese
    // character. The reader's query is split the same way.
    function searchTokens(text) {
        const runs = String(text).toLowerCase().match(/\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}_])+/gu) || [];
        const tokens = [];
        for (const run of runs) {
            const chars = Array.from(run);
            if (/\p{Script=Han}/u.test(chars[0]) && chars.length > 1) {
                for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i] + chars[i + 1]);
            } else {
                tokens.push(run);
            }
        }
        return tokens;
    }
    if (document.documentElement.lang !== "en" && window.elasticlunr) {
        window.elasticlunr.tokenizer = searchTokens;
    }
})();
