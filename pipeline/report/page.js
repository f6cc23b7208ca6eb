// The report's own script: draws every chart with the bundled vega-embed and lets the reader pick
// an entity for the last timeline. No network: specs and data are in the page.
(function () {
  "use strict";

  var specs = JSON.parse(document.getElementById("report-specs").textContent);
  var timeline = JSON.parse(document.getElementById("report-timeline").textContent);
  var views = {};
  var embedOptions = { renderer: "svg", actions: false, mode: "vega-lite" };

  function embedAll() {
    var elements = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    return Promise.all(elements.map(function (element) {
      var name = element.getAttribute("data-chart");
      return vegaEmbed(element, specs[name], embedOptions).then(function (result) {
        views[name] = result.view;
      });
    }));
  }

  // Dense rows for one entity: the page carries only the periods with mentions, zeros are filled here.
  function rowsFor(entityId, name) {
    var counts = new Map(timeline.series[entityId] || []);
    return timeline.periods.map(function (period, index) {
      return { period: period, name: name, mentions: counts.get(index) || 0 };
    });
  }

  function setUpPicker() {
    var input = document.getElementById("entity-picker");
    var list = document.getElementById("entity-names");
    var heading = document.getElementById("picked-name");
    var view = views["timeline-picked"];
    if (!input || !view) {
      return;
    }
    var byText = new Map();
    timeline.pickable.forEach(function (entity) {
      var text = entity[1] + " (" + entity[2] + ")";
      byText.set(text, entity);
      var option = document.createElement("option");
      option.value = text;
      list.appendChild(option);
    });
    input.addEventListener("change", function () {
      var entity = byText.get(input.value.trim());
      if (!entity) {
        heading.textContent = "No entity called “" + input.value + "” among the entities listed: pick one from the list.";
        return;
      }
      view.data("picked", rowsFor(entity[0], entity[1])).runAsync().then(function () {
        heading.textContent = entity[1] + " (" + entity[2] + ")";
        document.body.setAttribute("data-picked", entity[0]);
      });
    });
  }

  embedAll().then(function () {
    setUpPicker();
    document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));  // for the tests and the bench
    document.body.setAttribute("data-ready", "yes");
  }).catch(function (error) {
    document.body.setAttribute("data-ready", "error");
    console.error("report: a chart could not be drawn: " + error);
  });
})();
