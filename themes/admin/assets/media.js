/* media.js — the media library's picker (/admin/media?pick=1). "Use this image" fills the story
   form's image_url, image_alt, image_caption and image_credit fields: in the window that opened
   the picker (then closes it), or, when the picker was opened with ?return=/admin/..., by going
   back there with the four values in the query string. */
(function () {
  'use strict';
  document.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('button.pick') : null;
    if (!button) return;
    var fields = {
      image_url: button.getAttribute('data-url') || '',
      image_alt: button.getAttribute('data-alt') || '',
      image_caption: button.getAttribute('data-caption') || '',
      image_credit: button.getAttribute('data-credit') || ''
    };
    var opener = null;
    try { opener = window.opener && !window.opener.closed ? window.opener.document : null; } catch (e) { opener = null; }
    if (opener) {
      Object.keys(fields).forEach(function (name) {
        var input = opener.querySelector('[name="' + name + '"]');
        if (!input) return;
        input.value = fields[name];
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
      });
      window.close();
      return;
    }
    var back = button.getAttribute('data-return');
    if (back && back.indexOf('/admin/') === 0 && back.indexOf('//') < 0) {
      var query = new URLSearchParams(fields).toString();
      window.location.href = back + (back.indexOf('?') < 0 ? '?' : '&') + query;
    }
  });
})();
