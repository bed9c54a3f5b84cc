// Render, then tell the shell the first screen is ready (as trdcheck's UI does).
document.getElementById("status").textContent = "Ready";
window.__TAURI__.core.invoke("ui_ready");
