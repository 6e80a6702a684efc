<?php
// Router for PHP's built-in server: /api/<resource>[/<id>] goes to the webservice dispatcher
// with $_GET['url'] set, as QloApps' URL rewriting does; anything else is served as it is.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (preg_match('#^/api(?:/(.*))?$#', $path, $match)) {
    $_GET['url'] = isset($match[1]) ? $match[1] : '';
    $_SERVER['SCRIPT_NAME'] = '/webservice/dispatcher.php';
    $_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'].'/webservice/dispatcher.php';
    chdir($_SERVER['DOCUMENT_ROOT'].'/webservice');
    require $_SERVER['DOCUMENT_ROOT'].'/webservice/dispatcher.php';
    return true;
}
return false;
