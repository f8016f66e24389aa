// Entry point of the saved page (web/build-saved.ts): the same app as the served
// page, in one file opened from disk, talking to the API origins baked in.
// saved-setup.ts is imported first so that it runs first.
import './saved-setup.ts';
import './main.ts';
