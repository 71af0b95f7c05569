/* The district and sub-district fields of an address suggest the names the
   village register knows for the province chosen (a <datalist> each, which the
   server renders for the province already saved). When the province changes,
   the names of the new one are fetched; the sub-districts follow the district.
   The fields stay free text: the register may lack a place. */
(function () {
  "use strict";

  var form = document.querySelector("[data-place-suggestions]");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-place-suggestions");
  var province = form.querySelector("[name='province']");
  var district = form.querySelector("[name='district']");
  var districts = document.getElementById("district-suggestions");
  var subdistricts = document.getElementById("subdistrict-suggestions");
  if (!province || !district || !districts || !subdistricts) return;
  var places = null;

  function fill(list, names) {
    list.textContent = "";
    names.forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      list.appendChild(option);
    });
  }

  function showSubdistricts() {
    if (places) fill(subdistricts, places[district.value.trim()] || []);
  }

  function load() {
    if (!province.value) {
      places = {};
      fill(districts, []);
      fill(subdistricts, []);
      return;
    }
    fetch(url + "?province=" + encodeURIComponent(province.value), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { districts: {} }; })
      .then(function (data) {
        places = data.districts || {};
        fill(districts, Object.keys(places));
        showSubdistricts();
      })
      .catch(function () { /* the suggestions already on the page stay */ });
  }

  province.addEventListener("change", load);
  district.addEventListener("input", showSubdistricts);
  district.addEventListener("change", showSubdistricts);
})();
