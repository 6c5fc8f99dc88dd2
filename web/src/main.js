import { createApp } from 'vue';
import App from './App.vue';
import element from './element.js';
import './style.css';

createApp(App).use(element).mount('#app');
