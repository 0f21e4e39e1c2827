// Loaded at the top of <body> (an external file, so the content security policy needs no
// 'unsafe-inline'): marks the page as having JavaScript, as GOV.UK Frontend expects.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
