/* Model Management: the provider id follows the name until the user edits it (ProviderIds.slug's rule), and
   Remove / Delete key ask first, naming what goes with it. */
(function () {
    function slug(name) {
        var s = (name || '').trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
        s = s.replace(/^[-._]+|-+$/g, '');
        if (s.length > 56) {
            s = s.substring(0, 56).replace(/[-._]+$/, '');
        }
        return s === '' ? 'provider' : s;
    }
    var name = document.getElementById('add-name');
    var id = document.getElementById('add-id');
    if (name && id) {
        var follows = id.value === '' || id.value === slug(name.value);
        name.addEventListener('input', function () {
            if (follows) {
                id.value = name.value.trim() === '' ? '' : slug(name.value);
            }
        });
        id.addEventListener('input', function () {
            follows = id.value === '';
        });
    }
    var forms = document.querySelectorAll('form[data-confirm]');
    for (var i = 0; i < forms.length; i++) {
        forms[i].addEventListener('submit', function (e) {
            if (!window.confirm(this.getAttribute('data-confirm'))) {
                e.preventDefault();
            }
        });
    }
})();
