// Keyboard shortcuts for the linkage review queue: a accepts, r rejects, s skips. Each presses
// the button marked with data-shortcut, so the form is sent exactly as a click would send it;
// without this script the buttons work as they are. Keys typed into a field are left alone.
document.addEventListener('keydown', function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
  var target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  var button = document.querySelector('button[data-shortcut="' + event.key.toLowerCase() + '"]');
  if (!button || button.form.dataset.sent) return;
  event.preventDefault();
  button.form.dataset.sent = 'yes'; // one decision a page, however fast the keys come
  button.form.requestSubmit(button);
});
